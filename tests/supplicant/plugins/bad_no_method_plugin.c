/* A shared object without the plugin_method symbol: the supplicant must
 * skip it. */
int not_a_plugin_method = 1;
