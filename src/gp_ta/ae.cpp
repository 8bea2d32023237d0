// Authenticated encryption (GP 6.6): AES-GCM and AES-CCM on OpenSSL's
// EVP_CIPHER. GCM streams: each update outputs what it takes. OpenSSL's CCM
// takes its lengths first and its AAD and payload in one call each, so CCM
// keeps both until the final (AEUpdate outputs nothing): a CCM decryption
// then releases no plaintext before its tag has been checked. A decryption
// whose tag does not match writes nothing at its final and answers
// TEE_ERROR_MAC_INVALID.
#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include <new>
#include <vector>

#include "operations.hpp"
#include "tee_internal_api.h"

using captee::gp_ta::CipherMode;
using captee::gp_ta::operation_or_panic;

namespace {

bool is_ccm(const __TEE_OperationHandle *op) {
  return op->alg->cipher_mode == CipherMode::kCcm;
}

__TEE_OperationHandle *ae_or_panic(TEE_OperationHandle operation) {
  __TEE_OperationHandle *op = operation_or_panic(operation, TEE_OPERATION_AE);
  captee::gp_ta::require_initialized(op);
  return op;
}

// Tag sizes in bits: GCM 96 to 128 in steps of 8 (SP 800-38D), CCM 32 to
// 128 in steps of 16 (SP 800-38C).
bool tag_bits_valid(bool ccm, size_t bits) {
  if (ccm) {
    return bits >= 32 && bits <= 128 && bits % 16 == 0;
  }
  return bits >= 96 && bits <= 128 && bits % 8 == 0;
}

// Appends to a CCM buffer; an allocation failure is the TA out of memory.
void append(std::vector<uint8_t> *buf, const void *data, size_t len) {
  if (len == 0) {
    return;
  }
  const auto *p = static_cast<const uint8_t *>(data);
  try {
    buf->insert(buf->end(), p, p + len);
  } catch (const std::bad_alloc &) {
    TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
  }
}

void wipe(std::vector<uint8_t> *buf) {
  if (!buf->empty()) {
    OPENSSL_cleanse(buf->data(), buf->size());
  }
  buf->clear();
}

// Runs CCM over the buffered AAD and payload into `out`, with the tag set
// first when decrypting; false if the tag does not match.
bool ccm_run(__TEE_OperationHandle *op, uint8_t *out, const uint8_t *tag) {
  EVP_CIPHER_CTX *ctx = op->cipher_ctx;
  const bool enc = op->info.mode == TEE_MODE_ENCRYPT;
  if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(op->ae_tag_len),
                                  const_cast<uint8_t *>(tag)) != 1) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  if (EVP_CipherInit_ex2(ctx, nullptr, op->key.data(), op->ae_nonce, enc, nullptr) != 1) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  int outl = 0;
  // OpenSSL's CCM lengths are ints: AEInit refused anything larger.
  if (EVP_CipherUpdate(ctx, nullptr, &outl, nullptr, static_cast<int>(op->deferred.size())) != 1) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  if (!op->ae_aad.empty() && EVP_CipherUpdate(ctx, nullptr, &outl, op->ae_aad.data(),
                                              static_cast<int>(op->ae_aad.size())) != 1) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  // A CCM decryption checks its tag in this call.
  const int r =
      EVP_CipherUpdate(ctx, out, &outl, op->deferred.data(), static_cast<int>(op->deferred.size()));
  return r == 1;
}

}  // namespace

extern "C" {

TEE_Result TEE_AEInit(TEE_OperationHandle operation, const void *nonce, size_t nonceLen,
                      uint32_t tagLen, size_t AADLen, size_t payloadLen) {
  __TEE_OperationHandle *op = operation_or_panic(operation, TEE_OPERATION_AE);
  captee::gp_ta::require_key(op);
  const bool ccm = is_ccm(op);
  if (!tag_bits_valid(ccm, tagLen)) {
    return TEE_ERROR_NOT_SUPPORTED;
  }
  // GCM takes any nonce from 1 byte (OpenSSL's limit is far above a TA's
  // needs: 128 bytes here); CCM 7 to 13 bytes, and lengths OpenSSL's int
  // arithmetic holds.
  const size_t max_nonce = ccm ? 13 : sizeof op->ae_nonce;
  const size_t min_nonce = ccm ? 7 : 1;
  if (nonce == nullptr || nonceLen < min_nonce || nonceLen > max_nonce) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (ccm && (AADLen > INT32_MAX || payloadLen > INT32_MAX)) {
    return TEE_ERROR_NOT_SUPPORTED;
  }
  if (op->cipher_ctx == nullptr && (op->cipher_ctx = EVP_CIPHER_CTX_new()) == nullptr) {
    TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
  }
  EVP_CIPHER_CTX *ctx = op->cipher_ctx;
  const int enc = op->info.mode == TEE_MODE_ENCRYPT ? 1 : 0;
  if (EVP_CipherInit_ex2(ctx, op->cipher, nullptr, nullptr, enc, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(nonceLen), nullptr) != 1) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  op->ae_tag_len = tagLen / 8;
  TEE_MemMove(op->ae_nonce, nonce, nonceLen);
  wipe(&op->ae_aad);
  wipe(&op->deferred);
  op->ae_aad_len = AADLen;
  op->ae_payload_len = payloadLen;
  op->ae_payload_started = false;
  if (ccm) {
    // The tag length now; the key, nonce and data at the final.
    if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(op->ae_tag_len),
                                   nullptr) != 1) {
      TEE_Panic(TEE_ERROR_GENERIC);
    }
  } else if (EVP_CipherInit_ex2(ctx, nullptr, op->key.data(), op->ae_nonce, enc, nullptr) != 1) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  op->info.handleState |= TEE_HANDLE_FLAG_INITIALIZED;
  op->state = TEE_OPERATION_STATE_ACTIVE;
  return TEE_SUCCESS;
}

void TEE_AEUpdateAAD(TEE_OperationHandle operation, const void *AADdata, size_t AADdataLen) {
  __TEE_OperationHandle *op = ae_or_panic(operation);
  // AAD comes before the payload.
  if ((AADdata == nullptr && AADdataLen != 0) || op->ae_payload_started) {
    TEE_Panic(TEE_ERROR_BAD_STATE);
  }
  if (is_ccm(op)) {
    if (AADdataLen > op->ae_aad_len - op->ae_aad.size()) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);  // more AAD than AEInit announced
    }
    append(&op->ae_aad, AADdata, AADdataLen);
    return;
  }
  size_t written = 0;
  if (!captee::gp_ta::cipher_update(op->cipher_ctx, nullptr, static_cast<const uint8_t *>(AADdata),
                                    AADdataLen, &written)) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
}

TEE_Result TEE_AEUpdate(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
                        void *destData, size_t *destLen) {
  __TEE_OperationHandle *op = ae_or_panic(operation);
  if ((srcData == nullptr && srcLen != 0) || destLen == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (is_ccm(op)) {
    if (op->ae_aad.size() != op->ae_aad_len || srcLen > op->ae_payload_len - op->deferred.size()) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);  // AAD missing, or payload beyond AEInit's
    }
    append(&op->deferred, srcData, srcLen);
    op->ae_payload_started = true;
    *destLen = 0;
    return TEE_SUCCESS;
  }
  if (*destLen < srcLen) {
    *destLen = srcLen;
    return TEE_ERROR_SHORT_BUFFER;
  }
  if (destData == nullptr && srcLen != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  size_t written = 0;
  if (!captee::gp_ta::cipher_update(op->cipher_ctx, static_cast<uint8_t *>(destData),
                                    static_cast<const uint8_t *>(srcData), srcLen, &written) ||
      written != srcLen) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  op->ae_payload_started = true;
  *destLen = written;
  return TEE_SUCCESS;
}

TEE_Result TEE_AEEncryptFinal(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
                              void *destData, size_t *destLen, void *tag, size_t *tagLen) {
  __TEE_OperationHandle *op = ae_or_panic(operation);
  if (op->info.mode != TEE_MODE_ENCRYPT || (srcData == nullptr && srcLen != 0) ||
      destLen == nullptr || tagLen == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  const bool ccm = is_ccm(op);
  size_t needed = srcLen;
  if (ccm) {
    if (op->ae_aad.size() != op->ae_aad_len || srcLen != op->ae_payload_len - op->deferred.size()) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);  // not the lengths AEInit announced
    }
    needed = op->ae_payload_len;
  }
  if (*destLen < needed || *tagLen < op->ae_tag_len) {
    *destLen = needed;
    *tagLen = op->ae_tag_len;
    return TEE_ERROR_SHORT_BUFFER;
  }
  if ((destData == nullptr && needed != 0) || tag == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  auto *out = static_cast<uint8_t *>(destData);
  if (ccm) {
    append(&op->deferred, srcData, srcLen);
    if (!ccm_run(op, out, nullptr)) {
      TEE_Panic(TEE_ERROR_GENERIC);
    }
  } else {
    size_t written = 0;
    if (!captee::gp_ta::cipher_update(op->cipher_ctx, out, static_cast<const uint8_t *>(srcData),
                                      srcLen, &written) ||
        written != srcLen) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
  }
  int outl = 0;
  uint8_t tail[16];
  if ((!ccm && EVP_CipherFinal_ex(op->cipher_ctx, tail, &outl) != 1) ||
      EVP_CIPHER_CTX_ctrl(op->cipher_ctx, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(op->ae_tag_len),
                          tag) != 1) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  *destLen = needed;
  *tagLen = op->ae_tag_len;
  wipe(&op->ae_aad);
  wipe(&op->deferred);
  captee::gp_ta::to_initial_state(op);
  return TEE_SUCCESS;
}

TEE_Result TEE_AEDecryptFinal(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
                              void *destData, size_t *destLen, void *tag, size_t tagLen) {
  __TEE_OperationHandle *op = ae_or_panic(operation);
  if (op->info.mode != TEE_MODE_DECRYPT || (srcData == nullptr && srcLen != 0) ||
      destLen == nullptr || (tag == nullptr && tagLen != 0)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  const bool ccm = is_ccm(op);
  size_t needed = srcLen;
  if (ccm) {
    if (op->ae_aad.size() != op->ae_aad_len || srcLen != op->ae_payload_len - op->deferred.size()) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
    needed = op->ae_payload_len;
  }
  if (*destLen < needed) {
    *destLen = needed;
    return TEE_ERROR_SHORT_BUFFER;
  }
  if (destData == nullptr && needed != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  // The plaintext goes to a buffer of our own, and to the TA's only once the
  // tag has matched.
  std::vector<uint8_t> plain;
  try {
    plain.resize(needed);
  } catch (const std::bad_alloc &) {
    TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
  }
  bool ok = tagLen == op->ae_tag_len;
  if (ok && ccm) {
    append(&op->deferred, srcData, srcLen);
    ok = ccm_run(op, plain.data(), static_cast<const uint8_t *>(tag));
  } else if (ok) {
    size_t written = 0;
    int outl = 0;
    uint8_t tail[16];
    if (!captee::gp_ta::cipher_update(op->cipher_ctx, plain.data(),
                                      static_cast<const uint8_t *>(srcData), srcLen, &written) ||
        written != srcLen ||
        EVP_CIPHER_CTX_ctrl(op->cipher_ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tagLen), tag) !=
            1) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
    ok = EVP_CipherFinal_ex(op->cipher_ctx, tail, &outl) == 1;
  }
  if (ok && needed != 0) {
    TEE_MemMove(destData, plain.data(), needed);
  }
  wipe(&plain);
  wipe(&op->ae_aad);
  wipe(&op->deferred);
  captee::gp_ta::to_initial_state(op);
  if (!ok) {
    return TEE_ERROR_MAC_INVALID;
  }
  *destLen = needed;
  return TEE_SUCCESS;
}

}  // extern "C"
