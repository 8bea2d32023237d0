/* How capteed's GP app client (uid 0x199) talks to a GP TA's app object (the
 * GP runtime in captee-tahost, captee::gp_ta).
 *
 * The interface is idl/IGPAppClientCaptee.idl (its generated stub and
 * skeleton are what capteed and the runtime use); these two numbers are the
 * same facts for C code, checked against the IDL by tests/idl
 * (Facts.GPAppClientCaptee).
 *
 * The TA's app object is an IGPAppClient. Besides openSession (op 0) and
 * openSessionV2 (op 1) it answers op CAPTEE_GP_OP_OPEN_SESSION_AS: the
 * openSessionV2 layout (counts 0x1556) whose a[0] bundle is followed by the
 * client identity capteed computed (CAPTEE_GP_OPEN_AS_BUNDLE_SIZE bytes):
 *
 *   u32 cancelCode, u32 cancellationRequestTimeout, u32 connectionMethod,
 *   u32 connectionData, u32 paramTypes, u32 exParamTypes,   (the V2 bundle)
 *   u32 login, u8 uuid[16] (RFC 4122 byte order)            (the identity)
 *
 * Ops 0 and 1 open a session as TEE_LOGIN_PUBLIC. The identity is what
 * TEE_GetPropertyAsIdentity(TEE_PROPSET_CURRENT_CLIENT, "gpd.client.identity")
 * returns in the TA.
 */
#ifndef CAPTEE_GP_TA_PROTOCOL_H
#define CAPTEE_GP_TA_PROTOCOL_H

#define CAPTEE_GP_OP_OPEN_SESSION_AS 2u
#define CAPTEE_GP_OPEN_AS_BUNDLE_SIZE 44u

#endif /* CAPTEE_GP_TA_PROTOCOL_H */
