// GP operations inside the runtime: what a TEE_OperationHandle points to and
// the checks every family (digest.cpp, cipher.cpp, mac.cpp, asymmetric.cpp) makes before it
// touches one. A handle is only trusted once found among the live
// operations; misuse (an invalid handle, the wrong class or mode, no key, an
// operation not initialised) panics the TA, as the specification requires.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "algorithms.hpp"
#include "secret_buffer.hpp"
#include "tee_api_types.h"

// The operation a TEE_OperationHandle points to (opaque in tee_api_types.h).
struct __TEE_OperationHandle {
  const captee::gp_ta::Algorithm *alg = nullptr;
  TEE_OperationInfo info{};
  uint32_t state = 0;  // TEE_OPERATION_STATE_*
  captee::gp_ta::SecretBuffer key;
  // An RSA operation's key: the key object's EVP_PKEY, shared (it never
  // changes) and held by a reference of its own, so the TA may free the
  // object while the operation lives.
  EVP_PKEY *pkey = nullptr;
  EVP_MD *md = nullptr;          // digests, HMACs and the RSA schemes that hash
  EVP_CIPHER *cipher = nullptr;  // ciphers and block-cipher MACs, once keyed
  EVP_MD_CTX *md_ctx = nullptr;
  EVP_CIPHER_CTX *cipher_ctx = nullptr;
  EVP_MAC_CTX *mac_ctx = nullptr;
  // AES-CTS (cipher.cpp): the raw block cipher its last blocks need, and
  // the input held back (up to two blocks) for the ciphertext stealing.
  EVP_CIPHER *cts_ecb = nullptr;
  EVP_CIPHER_CTX *cts_ecb_ctx = nullptr;
  uint8_t cts_hold[32] = {};
  // Cipher input held back until a whole block is there (ECB, CBC and the
  // CBC-MACs: OpenSSL keeps the bytes, this counts them).
  size_t pending = 0;
  // CBC-MAC: the last cipher block, the MAC so far.
  uint8_t last_block[16] = {};
  // TEE_DigestExtract: the digest, computed at the first extraction and
  // handed out from `extracted` on.
  uint8_t digest[EVP_MAX_MD_SIZE] = {};
  size_t extracted = 0;
  // Authenticated encryption (ae.cpp): the nonce and sizes AEInit gave, and
  // for CCM the AAD; `deferred` is the input of the one-shot modes (CCM's
  // payload, XTS's data) kept until the final.
  uint8_t ae_nonce[128] = {};
  size_t ae_tag_len = 0;  // bytes
  size_t ae_aad_len = 0;
  size_t ae_payload_len = 0;
  bool ae_payload_started = false;
  std::vector<uint8_t> ae_aad;
  std::vector<uint8_t> deferred;
};

namespace captee::gp_ta {

// The live operation `handle` names, of `operation_class`; panics the TA
// otherwise.
__TEE_OperationHandle *operation_or_panic(TEE_OperationHandle handle, uint32_t operation_class);

// Panics unless the operation has a key (TEE_HANDLE_FLAG_KEY_SET).
void require_key(const __TEE_OperationHandle *op);

// Panics unless Init has started the operation (TEE_HANDLE_FLAG_INITIALIZED).
void require_initialized(const __TEE_OperationHandle *op);

// Back to the initial state after a final or a reset: Init is needed again.
void to_initial_state(__TEE_OperationHandle *op);

// EVP_CipherUpdate over any size_t length (OpenSSL takes int): false if
// OpenSSL fails. `*written` is the total written to `out`.
bool cipher_update(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in, size_t len,
                   size_t *written);

}  // namespace captee::gp_ta
