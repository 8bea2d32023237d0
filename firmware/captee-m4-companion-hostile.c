/* The companion image with a greeting made of terminal control sequences:
 * firmware that writes, into the trace buffer the host prints, what would
 * retitle the window, set the clipboard, colour and clear the screen,
 * reset the terminal and overwrite what was printed before (issue 20,
 * finding 5). Used only by tests; `captee rproc trace` must print it inert. */
#define COMPANION_GREETING                                                    \
  "\x1b]0;owned by the firmware\x07" /* OSC 0: window title */                \
  "\x1b]52;c;cm0gLXJmIH4=\x07"       /* OSC 52: set the clipboard */          \
  "\x1b[31;1mred\x1b[0m"             /* CSI SGR: colours */                   \
  "\x1b[2J\x1b[H"                    /* CSI: clear the screen, cursor home */ \
  "\x1b"                                                                      \
  "c" /* RIS: reset the terminal */                                           \
  "\x9b"                                                                      \
  "2J" /* C1 CSI (8-bit): clear the screen */                                 \
  "\xc2\x9b"                                                                  \
  "2J" /* C1 CSI as UTF-8 */                                                  \
  "ok\r\x08\x08"                                                              \
  "forged\x7f" /* carriage return, backspaces, DEL */                         \
  "\xe2\x80\xae"                                                              \
  "txt.exe" /* RIGHT-TO-LEFT OVERRIDE */
#include "captee-m4-companion.c"
