#define TA_PROBE_UUID                    \
  {                                      \
    0x0d5e1a7b, 0x7c1e, 0x4f00, {        \
      0x9a, 0x4b, 0x5e, 0x1f, 0, 0, 0, 1 \
    }                                    \
  }
