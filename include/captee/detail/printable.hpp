// Bytes from another domain (firmware, a TA, a peer process), made safe to
// print on a terminal or write to a log.
//
// A terminal acts on what it is sent: ESC and CSI sequences set window
// titles, colours and modes or reset it, a carriage return or backspaces
// overwrite what a line said, a newline forges another log line. printable()
// escapes every such byte into visible `\xNN` text, so whatever the bytes
// were, what reaches the terminal is inert:
//  - C0 controls (0x00-0x1f), ESC among them, and DEL (0x7f); a newline and
//    a tab only when the text is multi-line (Lines::kMany), and a carriage
//    return there only right before a newline;
//  - C1 controls: raw bytes 0x80-0x9f outside a valid UTF-8 sequence, and
//    U+0080-U+009F encoded in UTF-8 (each byte escaped);
//  - every byte that is not part of valid UTF-8 (stray continuation bytes,
//    truncated, overlong or surrogate sequences, bytes 0xf5-0xff), so an
//    8-bit terminal sees no C1 byte and a decoder no hidden control;
//  - the Unicode bidirectional controls (U+202A-U+202E, U+2066-U+2069),
//    which can make a line display in another order than it reads.
// Everything else (ASCII text, valid UTF-8) passes unchanged. A backslash is
// not escaped: a peer can print the text "\x1b", which then reads as an
// escaped ESC but does nothing. The result is valid UTF-8 and printable()
// of it is itself.
#pragma once

#include <string>
#include <string_view>

namespace captee {

// Whether the text may span lines: kOne escapes newlines and tabs too (a
// name, one log line), kMany keeps them (a trace buffer, a listing).
enum class Lines { kOne, kMany };

std::string printable(std::string_view bytes, Lines lines = Lines::kOne);

}  // namespace captee
