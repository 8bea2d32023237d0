/* OP-TEE's extensions to the GP constants (its libutee
 * tee_api_defines_extensions.h): extra key-derivation algorithms, object
 * types and attributes, implementation-specific storage IDs, memory-access
 * flags, login method, origin and error codes. Same names and values, so a TA
 * written for OP-TEE that uses them builds unchanged; whether captee supports
 * each algorithm is the crypto API's business (docs/GP.md). */
#ifndef TEE_API_DEFINES_EXTENSIONS_H
#define TEE_API_DEFINES_EXTENSIONS_H

/* RSA with MD5: vendor-range numbers (bit 31) laid out like GP's IDs. */
#define TEE_ALG_RSASSA_PKCS1_PSS_MGF1_MD5 0xF0111930
#define TEE_ALG_RSAES_PKCS1_OAEP_MGF1_MD5 0xF0110230

/* Implementation-specific results: 0x70000000-0x7FFFFFFF are non-errors,
 * 0x80000000-0x8FFFFFFF errors. */
/* A driver waits for a device that is not initialised yet. */
#define TEE_ERROR_DEFER_DRIVER_INIT 0x80000000
/* A device is not assigned to the TEE. */
#define TEE_ERROR_NODE_DISABLED 0x80000001

/* HKDF (RFC 5869). The salt and info attributes of OP-TEE's own HKDF carry
 * the __OPTEE_ prefix: GP v1.3 took the plain names for its TEE_ALG_HKDF. */
#define TEE_ALG_HKDF_MD5_DERIVE_KEY 0x800010C0
#define TEE_ALG_HKDF_SHA1_DERIVE_KEY 0x800020C0
#define TEE_ALG_HKDF_SHA224_DERIVE_KEY 0x800030C0
#define TEE_ALG_HKDF_SHA256_DERIVE_KEY 0x800040C0
#define TEE_ALG_HKDF_SHA384_DERIVE_KEY 0x800050C0
#define TEE_ALG_HKDF_SHA512_DERIVE_KEY 0x800060C0
#define TEE_TYPE_HKDF_IKM 0xA10000C0
#define TEE_ATTR_HKDF_IKM 0xC00001C0
#define __OPTEE_TEE_ATTR_HKDF_SALT 0xD00002C0
#define __OPTEE_TEE_ATTR_HKDF_INFO 0xD00003C0
#define TEE_ATTR_HKDF_OKM_LENGTH 0xF00004C0

/* Concatenation KDF (NIST SP 800-56A, 5.8.1). */
#define TEE_ALG_CONCAT_KDF_SHA1_DERIVE_KEY 0x800020C1
#define TEE_ALG_CONCAT_KDF_SHA224_DERIVE_KEY 0x800030C1
#define TEE_ALG_CONCAT_KDF_SHA256_DERIVE_KEY 0x800040C1
#define TEE_ALG_CONCAT_KDF_SHA384_DERIVE_KEY 0x800050C1
#define TEE_ALG_CONCAT_KDF_SHA512_DERIVE_KEY 0x800060C1
#define TEE_TYPE_CONCAT_KDF_Z 0xA10000C1
#define TEE_ATTR_CONCAT_KDF_Z 0xC00001C1
#define TEE_ATTR_CONCAT_KDF_OTHER_INFO 0xD00002C1
#define TEE_ATTR_CONCAT_KDF_DKM_LENGTH 0xF00003C1

/* PBKDF2 (PKCS #5 v2.0, RFC 2898 5.2). */
#define TEE_ALG_PBKDF2_HMAC_SHA1_DERIVE_KEY 0x800020C2
#define TEE_TYPE_PBKDF2_PASSWORD 0xA10000C2
#define TEE_ATTR_PBKDF2_PASSWORD 0xC00001C2
#define TEE_ATTR_PBKDF2_SALT 0xD00002C2
#define TEE_ATTR_PBKDF2_ITERATION_COUNT 0xF00003C2
#define TEE_ATTR_PBKDF2_DKM_LENGTH 0xF00004C2

/* RSASSA PKCS#1 v1.5 over a digest the caller computed. */
#define TEE_ALG_RSASSA_PKCS1_V1_5 0xF0000830

/* Triple-DES CMAC (NIST SP 800-38B). */
#define TEE_ALG_DES3_CMAC 0xF0000613

/* SM4 in XTS mode. */
#define TEE_ALG_SM4_XTS 0xF0000414

/* Storage IDs besides TEE_STORAGE_PRIVATE. */
#define TEE_STORAGE_PRIVATE_REE 0x80000000
#define TEE_STORAGE_PRIVATE_RPMB 0x80000100
#define TEE_STORAGE_PRIVATE_SQL_RESERVED 0x80000200

/* TEE_CheckMemoryAccessRights: the range must be normal-world (NONSECURE) or
 * TEE (SECURE) memory. */
#define TEE_MEMORY_ACCESS_NONSECURE 0x10000000
#define TEE_MEMORY_ACCESS_SECURE 0x20000000

/* A client inside the normal-world kernel. */
#define TEE_LOGIN_REE_KERNEL 0x80000000

/* The error came from the normal-world client application. */
#define TEE_ORIGIN_CLIENT_APP 0xF0000001

#endif /* TEE_API_DEFINES_EXTENSIONS_H */
