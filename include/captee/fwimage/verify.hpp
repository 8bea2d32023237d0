// Authenticating a signed firmware image.
//
// verify_signed_image() runs the whole chain in the order a TEE must: header
// and TLV framing, SIGNTYPE, the signature over SHA-256(header || TLVs),
// then (only once the TLVs are authentic) HASHTYPE, the image list, the ELF
// headers bound to the signed hash table, every PT_LOAD segment's SHA-256 and
// the resource table. The first failure is returned with its GP code.
// Thread-safety: all functions may run concurrently, including with the same
// PublicKey (OpenSSL key objects are safe for concurrent read-only use).
#pragma once

#include <span>

#include "captee/fwimage/keys.hpp"
#include "captee/fwimage/signed_image.hpp"
#include "captee/fwimage/status.hpp"

namespace captee::fwimage {

// SHA-256 of `bytes` (OpenSSL).
Sha256Digest sha256(std::span<const uint8_t> bytes);

// SHA-256 over the signed part (header || TLV area).
Sha256Digest signed_digest(const SignedContainer &container);

// Checks SIGNTYPE (read_sign_type), that it matches the key's algorithm
// (SIGNATURE_INVALID otherwise), sign_len (RSA: modulus bytes; ECDSA: 64),
// and the signature itself.
// Errors: BAD_PARAMETERS (SIGNTYPE missing or malformed, as OP-TEE),
// NOT_SUPPORTED, SIGNATURE_INVALID "signature: verification failed".
Status verify_signature(const SignedContainer &container, const PublicKey &key);

// What a TEE holding several trusted keys does: checks SIGNTYPE
// (read_sign_type) and tries, in order, each key of `trusted` whose algorithm
// is the SIGNTYPE's and whose signatures are sign_len bytes long. Returns the
// index in `trusted` of the first key that verifies the signature over the
// head (header || TLVs); keys that cannot have made it are never tried.
// Errors: BAD_PARAMETERS and NOT_SUPPORTED as read_sign_type;
// SIGNATURE_INVALID "signature: the image (RSA, 256-byte signature) is not
// signed by any provisioned key; provisioned: <fingerprints, or none>".
Result<size_t> verify_signed_head(const SignedContainer &container,
                                  std::span<const PublicKey> trusted);

// Verifies `digest` (32 bytes) against `signature` with the given sign type.
// ECDSA signatures are raw r||s (64 bytes) and converted to DER internally.
Status verify_digest(uint8_t sign_type, std::span<const uint8_t> digest,
                     std::span<const uint8_t> signature, const PublicKey &key);

// Hashes every PT_LOAD segment's file bytes and compares with its entry.
// Errors: SECURITY "segment 1 of image 0: hash mismatch".
Status verify_segment_hashes(const ParsedImage &image);

// The one segment check: `loaded` must be exactly the segment's file bytes,
// hashing to its signed entry. A loader passes the bytes where they landed
// (its destination copy), never the buffer it copied from, so whoever
// supplied the image cannot change them between check and use.
// Errors: SECURITY as above.
Status verify_segment(const FirmwareImage &image, const Segment &segment,
                      std::span<const uint8_t> loaded);

// The whole chain. On success the parsed, authenticated view is returned.
Result<ParsedImage> verify_signed_image(std::span<const uint8_t> file, const PublicKey &key);

// The whole chain over a privately copied head and the image area (see
// parse_container(head, image_area)).
Result<ParsedImage> verify_signed_image(std::span<const uint8_t> head,
                                        std::span<const uint8_t> image_area, const PublicKey &key);

// The steps after the container was parsed: signature, contents, segment
// hashes, resource table.
Result<ParsedImage> verify_container(const SignedContainer &container, const PublicKey &key);

}  // namespace captee::fwimage
