/* A "TA" that declares no manifest: capteed could never load it, so the
 * build must refuse it. */
int no_manifest_ta_answer(void) {
  return 42;
}
