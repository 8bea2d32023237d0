/* The functions of the GP TEE Internal Core API v1.3.1, family by family, as
 * an X-macro list: GP_FUNCTION(<family>, <name>). 131 functions plus
 * TEE_BigIntSizeInU32, which the specification defines as a macro (GP_MACRO),
 * make the specification's 132. header_check.c uses the list to check that
 * each name is declared, and gp_functions_test.sh that docs/GP.md's table
 * lists each. The TA entry points (TA_*EntryPoint) are the TA's, not the
 * API's, and are not counted. */
#ifndef GP_FUNCTIONS_H
#define GP_FUNCTIONS_H

#define GP_FUNCTIONS(GP_FUNCTION, GP_MACRO)                    \
  /* Properties (4.4) */                                       \
  GP_FUNCTION(properties, TEE_GetPropertyAsString)             \
  GP_FUNCTION(properties, TEE_GetPropertyAsBool)               \
  GP_FUNCTION(properties, TEE_GetPropertyAsU32)                \
  GP_FUNCTION(properties, TEE_GetPropertyAsU64)                \
  GP_FUNCTION(properties, TEE_GetPropertyAsBinaryBlock)        \
  GP_FUNCTION(properties, TEE_GetPropertyAsUUID)               \
  GP_FUNCTION(properties, TEE_GetPropertyAsIdentity)           \
  GP_FUNCTION(properties, TEE_AllocatePropertyEnumerator)      \
  GP_FUNCTION(properties, TEE_FreePropertyEnumerator)          \
  GP_FUNCTION(properties, TEE_StartPropertyEnumerator)         \
  GP_FUNCTION(properties, TEE_ResetPropertyEnumerator)         \
  GP_FUNCTION(properties, TEE_GetPropertyName)                 \
  GP_FUNCTION(properties, TEE_GetNextProperty)                 \
  /* Panic (4.8) */                                            \
  GP_FUNCTION(panic, TEE_Panic)                                \
  /* Internal client API (4.9) */                              \
  GP_FUNCTION(ta_sessions, TEE_OpenTASession)                  \
  GP_FUNCTION(ta_sessions, TEE_CloseTASession)                 \
  GP_FUNCTION(ta_sessions, TEE_InvokeTACommand)                \
  /* Cancellation (4.10) */                                    \
  GP_FUNCTION(cancellation, TEE_GetCancellationFlag)           \
  GP_FUNCTION(cancellation, TEE_UnmaskCancellation)            \
  GP_FUNCTION(cancellation, TEE_MaskCancellation)              \
  /* Memory (4.11) */                                          \
  GP_FUNCTION(memory, TEE_CheckMemoryAccessRights)             \
  GP_FUNCTION(memory, TEE_SetInstanceData)                     \
  GP_FUNCTION(memory, TEE_GetInstanceData)                     \
  GP_FUNCTION(memory, TEE_Malloc)                              \
  GP_FUNCTION(memory, TEE_Realloc)                             \
  GP_FUNCTION(memory, TEE_Free)                                \
  GP_FUNCTION(memory, TEE_MemMove)                             \
  GP_FUNCTION(memory, TEE_MemCompare)                          \
  GP_FUNCTION(memory, TEE_MemFill)                             \
  /* Generic objects (5.5) */                                  \
  GP_FUNCTION(storage, TEE_GetObjectInfo1)                     \
  GP_FUNCTION(storage, TEE_GetObjectInfo)                      \
  GP_FUNCTION(storage, TEE_RestrictObjectUsage1)               \
  GP_FUNCTION(storage, TEE_RestrictObjectUsage)                \
  GP_FUNCTION(storage, TEE_GetObjectBufferAttribute)           \
  GP_FUNCTION(storage, TEE_GetObjectValueAttribute)            \
  GP_FUNCTION(storage, TEE_CloseObject)                        \
  /* Transient objects (5.6) */                                \
  GP_FUNCTION(storage, TEE_AllocateTransientObject)            \
  GP_FUNCTION(storage, TEE_FreeTransientObject)                \
  GP_FUNCTION(storage, TEE_ResetTransientObject)               \
  GP_FUNCTION(storage, TEE_PopulateTransientObject)            \
  GP_FUNCTION(storage, TEE_InitRefAttribute)                   \
  GP_FUNCTION(storage, TEE_InitValueAttribute)                 \
  GP_FUNCTION(storage, TEE_CopyObjectAttributes1)              \
  GP_FUNCTION(storage, TEE_CopyObjectAttributes)               \
  GP_FUNCTION(storage, TEE_GenerateKey)                        \
  /* Persistent objects (5.7) */                               \
  GP_FUNCTION(storage, TEE_OpenPersistentObject)               \
  GP_FUNCTION(storage, TEE_CreatePersistentObject)             \
  GP_FUNCTION(storage, TEE_CloseAndDeletePersistentObject1)    \
  GP_FUNCTION(storage, TEE_CloseAndDeletePersistentObject)     \
  GP_FUNCTION(storage, TEE_RenamePersistentObject)             \
  /* Persistent object enumeration (5.8) */                    \
  GP_FUNCTION(storage, TEE_AllocatePersistentObjectEnumerator) \
  GP_FUNCTION(storage, TEE_FreePersistentObjectEnumerator)     \
  GP_FUNCTION(storage, TEE_ResetPersistentObjectEnumerator)    \
  GP_FUNCTION(storage, TEE_StartPersistentObjectEnumerator)    \
  GP_FUNCTION(storage, TEE_GetNextPersistentObject)            \
  /* Data streams (5.9) */                                     \
  GP_FUNCTION(storage, TEE_ReadObjectData)                     \
  GP_FUNCTION(storage, TEE_WriteObjectData)                    \
  GP_FUNCTION(storage, TEE_TruncateObjectData)                 \
  GP_FUNCTION(storage, TEE_SeekObjectData)                     \
  /* Generic operations (6.2) */                               \
  GP_FUNCTION(crypto, TEE_AllocateOperation)                   \
  GP_FUNCTION(crypto, TEE_FreeOperation)                       \
  GP_FUNCTION(crypto, TEE_GetOperationInfo)                    \
  GP_FUNCTION(crypto, TEE_GetOperationInfoMultiple)            \
  GP_FUNCTION(crypto, TEE_ResetOperation)                      \
  GP_FUNCTION(crypto, TEE_SetOperationKey)                     \
  GP_FUNCTION(crypto, TEE_SetOperationKey2)                    \
  GP_FUNCTION(crypto, TEE_CopyOperation)                       \
  GP_FUNCTION(crypto, TEE_IsAlgorithmSupported)                \
  /* Digests (6.3) */                                          \
  GP_FUNCTION(crypto, TEE_DigestUpdate)                        \
  GP_FUNCTION(crypto, TEE_DigestDoFinal)                       \
  GP_FUNCTION(crypto, TEE_DigestExtract)                       \
  /* Symmetric ciphers (6.4) */                                \
  GP_FUNCTION(crypto, TEE_CipherInit)                          \
  GP_FUNCTION(crypto, TEE_CipherUpdate)                        \
  GP_FUNCTION(crypto, TEE_CipherDoFinal)                       \
  /* MACs (6.5) */                                             \
  GP_FUNCTION(crypto, TEE_MACInit)                             \
  GP_FUNCTION(crypto, TEE_MACUpdate)                           \
  GP_FUNCTION(crypto, TEE_MACComputeFinal)                     \
  GP_FUNCTION(crypto, TEE_MACCompareFinal)                     \
  /* Authenticated encryption (6.6) */                         \
  GP_FUNCTION(crypto, TEE_AEInit)                              \
  GP_FUNCTION(crypto, TEE_AEUpdateAAD)                         \
  GP_FUNCTION(crypto, TEE_AEUpdate)                            \
  GP_FUNCTION(crypto, TEE_AEEncryptFinal)                      \
  GP_FUNCTION(crypto, TEE_AEDecryptFinal)                      \
  /* Asymmetric (6.7) */                                       \
  GP_FUNCTION(crypto, TEE_AsymmetricEncrypt)                   \
  GP_FUNCTION(crypto, TEE_AsymmetricDecrypt)                   \
  GP_FUNCTION(crypto, TEE_AsymmetricSignDigest)                \
  GP_FUNCTION(crypto, TEE_AsymmetricVerifyDigest)              \
  /* Key derivation (6.8) */                                   \
  GP_FUNCTION(crypto, TEE_DeriveKey)                           \
  /* Random numbers (6.9) */                                   \
  GP_FUNCTION(random, TEE_GenerateRandom)                      \
  /* Time (7) */                                               \
  GP_FUNCTION(time, TEE_GetSystemTime)                         \
  GP_FUNCTION(time, TEE_Wait)                                  \
  GP_FUNCTION(persistent_time, TEE_GetTAPersistentTime)        \
  GP_FUNCTION(persistent_time, TEE_SetTAPersistentTime)        \
  GP_FUNCTION(time, TEE_GetREETime)                            \
  /* Arithmetic: sizes (8.3) */                                \
  GP_MACRO(arithmetic, TEE_BigIntSizeInU32)                    \
  GP_FUNCTION(arithmetic, TEE_BigIntFMMSizeInU32)              \
  GP_FUNCTION(arithmetic, TEE_BigIntFMMContextSizeInU32)       \
  /* Arithmetic: initialisation (8.4) */                       \
  GP_FUNCTION(arithmetic, TEE_BigIntInit)                      \
  GP_FUNCTION(arithmetic, TEE_BigIntInitFMMContext1)           \
  GP_FUNCTION(arithmetic, TEE_BigIntInitFMMContext)            \
  GP_FUNCTION(arithmetic, TEE_BigIntInitFMM)                   \
  /* Arithmetic: conversion (8.5) */                           \
  GP_FUNCTION(arithmetic, TEE_BigIntConvertFromOctetString)    \
  GP_FUNCTION(arithmetic, TEE_BigIntConvertToOctetString)      \
  GP_FUNCTION(arithmetic, TEE_BigIntConvertFromS32)            \
  GP_FUNCTION(arithmetic, TEE_BigIntConvertToS32)              \
  /* Arithmetic: logical (8.6) */                              \
  GP_FUNCTION(arithmetic, TEE_BigIntCmp)                       \
  GP_FUNCTION(arithmetic, TEE_BigIntCmpS32)                    \
  GP_FUNCTION(arithmetic, TEE_BigIntShiftRight)                \
  GP_FUNCTION(arithmetic, TEE_BigIntGetBit)                    \
  GP_FUNCTION(arithmetic, TEE_BigIntGetBitCount)               \
  GP_FUNCTION(arithmetic, TEE_BigIntSetBit)                    \
  GP_FUNCTION(arithmetic, TEE_BigIntAssign)                    \
  GP_FUNCTION(arithmetic, TEE_BigIntAbs)                       \
  /* Arithmetic: basic (8.7) */                                \
  GP_FUNCTION(arithmetic, TEE_BigIntAdd)                       \
  GP_FUNCTION(arithmetic, TEE_BigIntSub)                       \
  GP_FUNCTION(arithmetic, TEE_BigIntNeg)                       \
  GP_FUNCTION(arithmetic, TEE_BigIntMul)                       \
  GP_FUNCTION(arithmetic, TEE_BigIntSquare)                    \
  GP_FUNCTION(arithmetic, TEE_BigIntDiv)                       \
  /* Arithmetic: modular (8.8) */                              \
  GP_FUNCTION(arithmetic, TEE_BigIntMod)                       \
  GP_FUNCTION(arithmetic, TEE_BigIntAddMod)                    \
  GP_FUNCTION(arithmetic, TEE_BigIntSubMod)                    \
  GP_FUNCTION(arithmetic, TEE_BigIntMulMod)                    \
  GP_FUNCTION(arithmetic, TEE_BigIntSquareMod)                 \
  GP_FUNCTION(arithmetic, TEE_BigIntInvMod)                    \
  GP_FUNCTION(arithmetic, TEE_BigIntExpMod)                    \
  /* Arithmetic: other (8.9) */                                \
  GP_FUNCTION(arithmetic, TEE_BigIntRelativePrime)             \
  GP_FUNCTION(arithmetic, TEE_BigIntComputeExtendedGcd)        \
  GP_FUNCTION(arithmetic, TEE_BigIntIsProbablePrime)           \
  /* Arithmetic: fast modular multiplication (8.10) */         \
  GP_FUNCTION(arithmetic, TEE_BigIntConvertToFMM)              \
  GP_FUNCTION(arithmetic, TEE_BigIntConvertFromFMM)            \
  GP_FUNCTION(arithmetic, TEE_BigIntComputeFMM)

#endif /* GP_FUNCTIONS_H */
