int probe_helper(void) {
  return 3;
}
