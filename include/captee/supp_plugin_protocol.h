/* How capteed reaches OP-TEE supplicant plugins (tee_invoke_supp_plugin),
 * the facts capteed and captee-supplicant share.
 *
 * captee-supplicant is a listener (docs/TA.md, "Listeners"): it registers an
 * IListenerCBO and a shared memory region under CAPTEE_SUPP_PLUGIN_LISTENER_ID
 * with IRegisterListenerCBO. No TA reaches that listener itself: the host
 * environment hides it and gives the TA capteed's relay instead
 * (ISuppPluginRelay, host environment id CAPTEE_TA_SUPP_PLUGINS in ta_sdk.h),
 * which calls the listener one request at a time, so a TA never sees the
 * region or another TA's request.
 *
 * One request, laid out in the region (little-endian):
 *
 *   @0   u8  uuid[16]  the plugin, RFC 4122 byte order        (capteed)
 *   @16  u32 cmd                                              (capteed)
 *   @20  u32 sub_cmd                                          (capteed)
 *   @24  u32 data_len  bytes of data at @CAPTEE_SUPP_PLUGIN_HEADER_SIZE
 *                                                             (capteed)
 *   @28  u32 out_len   the plugin's *out_len, UINT32_MAX if larger
 *                                                             (supplicant)
 *   @32  u32 result    the plugin's TEEC_Result; a TEEC_Result of the
 *                      supplicant's own (ITEM_NOT_FOUND: no such plugin)
 *                                                             (supplicant)
 *   @36  u32 reserved  0
 *   @40  data: data_len bytes in; in place, the plugin's buffer after the
 *        call out
 *
 * capteed writes the header and the data, invokes IListenerCBO.request (op 0),
 * then reads out_len, result and the data back. Either side checks every
 * field the other wrote: data_len against the region, out_len against
 * data_len before any byte is copied (docs/GP.md, "Supplicant plugins").
 */
#ifndef CAPTEE_SUPP_PLUGIN_PROTOCOL_H
#define CAPTEE_SUPP_PLUGIN_PROTOCOL_H

/* OP-TEE's RPC command number for supplicant plugins
 * (OPTEE_RPC_CMD_SUPP_PLUGIN). */
#define CAPTEE_SUPP_PLUGIN_LISTENER_ID 12u

#define CAPTEE_SUPP_PLUGIN_OFF_UUID 0u
#define CAPTEE_SUPP_PLUGIN_OFF_CMD 16u
#define CAPTEE_SUPP_PLUGIN_OFF_SUB_CMD 20u
#define CAPTEE_SUPP_PLUGIN_OFF_DATA_LEN 24u
#define CAPTEE_SUPP_PLUGIN_OFF_OUT_LEN 28u
#define CAPTEE_SUPP_PLUGIN_OFF_RESULT 32u
#define CAPTEE_SUPP_PLUGIN_HEADER_SIZE 40u

/* The most data one request carries. A TA asking for more gets
 * TEE_ERROR_OUT_OF_MEMORY, as on OP-TEE when the RPC payload cannot be
 * allocated. */
#define CAPTEE_SUPP_PLUGIN_MAX_DATA (1u << 20)

/* The region captee-supplicant registers: a header and the largest data. */
#define CAPTEE_SUPP_PLUGIN_REGION_SIZE \
  (CAPTEE_SUPP_PLUGIN_HEADER_SIZE + CAPTEE_SUPP_PLUGIN_MAX_DATA)

#endif /* CAPTEE_SUPP_PLUGIN_PROTOCOL_H */
