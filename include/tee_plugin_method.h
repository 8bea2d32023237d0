/* Supplicant plugins, as OP-TEE's tee-supplicant loads them.
 *
 * A plugin is a shared object in the supplicant's plugin directory
 * (captee-supplicant --plugin-dir, default /usr/lib/tee-supplicant/plugins;
 * OP-TEE names the files <uuid>.plugin). It exports one object named
 * `plugin_method` of the type below. A TA reaches it with
 * tee_invoke_supp_plugin(&uuid, cmd, sub_cmd, buf, len, &outlen)
 * (tee_internal_api_extensions.h): the plugin whose `uuid` matches gets
 * `cmd`, `sub_cmd` and a copy of the TA's `len` bytes.
 *
 *   name    a short name for log lines; required.
 *   uuid    what TAs name the plugin by.
 *   init    called once when the plugin is loaded, before any invoke; may be
 *           NULL. A result other than TEEC_SUCCESS leaves the plugin unloaded.
 *   invoke  required. `data` holds `in_len` bytes (NULL when 0) that the
 *           plugin may read and overwrite in place, never beyond `in_len`;
 *           it sets *out_len to the number of bytes it produced (0: the TA's
 *           buffer stays as it was). The TEEC_Result is what the TA's call
 *           returns.
 *
 * Plugins are called one at a time. The layout and names are OP-TEE's, so a
 * plugin built against OP-TEE's header loads unchanged (docs/GP.md,
 * "Supplicant plugins").
 */
#ifndef TEE_PLUGIN_METHOD_H
#define TEE_PLUGIN_METHOD_H

#include <stddef.h>
#include <tee_client_api.h>

struct plugin_method {
  const char *name;
  TEEC_UUID uuid;
  TEEC_Result (*init)(void);
  TEEC_Result (*invoke)(unsigned int cmd, unsigned int sub_cmd, void *data, size_t in_len,
                        size_t *out_len);
};

#endif /* TEE_PLUGIN_METHOD_H */
