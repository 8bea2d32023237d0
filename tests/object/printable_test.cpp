// printable(): bytes from another domain made inert for a terminal or a log.
#include "captee/detail/printable.hpp"

#include <gtest/gtest.h>

#include <string>

using captee::Lines;
using captee::printable;

namespace {
std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) {
    s += char(x);
  }
  return s;
}

// No byte a terminal could act on is left: no C0 but \n, \t and \r\n in
// multi-line text, no DEL, no C1 control raw (a byte 0x80-0x9f not after a
// lead byte) or encoded (C2 80-9F); and printable() finds nothing more to
// escape, so the rest is valid UTF-8.
bool inert(const std::string &s, Lines lines) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto b = uint8_t(s[i]);
    const auto next = i + 1 < s.size() ? uint8_t(s[i + 1]) : 0;
    const bool line_break =
        lines == Lines::kMany && (b == '\n' || b == '\t' || (b == '\r' && next == '\n'));
    if ((b < 0x20 && !line_break) || b == 0x7F) {
      return false;
    }
    if (b >= 0x80 && b <= 0x9F && (i == 0 || uint8_t(s[i - 1]) < 0x80)) {
      return false;
    }
    if (b == 0xC2 && next >= 0x80 && next <= 0x9F) {
      return false;
    }
  }
  return printable(s, lines) == s;
}
}  // namespace

TEST(Printable, TextPassesUnchanged) {
  EXPECT_EQ(printable("rproc 0: running fw.elf"), "rproc 0: running fw.elf");
  EXPECT_EQ(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe4\xb8\xad"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe4\xb8\xad");
  EXPECT_EQ(printable("a\\x1b"), "a\\x1b");  // a backslash stays
  EXPECT_EQ(printable(""), "");
}

TEST(Printable, TerminalSequencesAreEscaped) {
  // OSC window title, CSI colour, ESC c (reset), C1 CSI.
  EXPECT_EQ(printable("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
  EXPECT_EQ(printable("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
  EXPECT_EQ(printable("\x1b"
                      "c"),
            "\\x1bc");
  EXPECT_EQ(printable(bytes({0x9b, '2', 'J'})), "\\x9b2J");
  EXPECT_EQ(printable(bytes({0xc2, 0x9b, '2', 'J'})), "\\xc2\\x9b2J");  // U+009B
  EXPECT_EQ(printable(bytes({0x7f, 0x00, 0x08})), "\\x7f\\x00\\x08");
}

TEST(Printable, LineBreaksOnlyInMultiLineText) {
  EXPECT_EQ(printable("a\nb\tc"), "a\\x0ab\\x09c");
  EXPECT_EQ(printable("a\nb\tc", Lines::kMany), "a\nb\tc");
  // A carriage return overwrites the line unless it ends it.
  EXPECT_EQ(printable("ok\rforged\r\n", Lines::kMany), "ok\\x0dforged\r\n");
  EXPECT_EQ(printable("end\r", Lines::kMany), "end\\x0d");
  EXPECT_EQ(printable("a\r\nb"), "a\\x0d\\x0ab");
}

TEST(Printable, InvalidUtf8IsEscapedByteByByte) {
  EXPECT_EQ(printable(bytes({0xc3})), "\\xc3");                                   // truncated
  EXPECT_EQ(printable(bytes({0xe2, 0x82})), "\\xe2\\x82");                        // truncated
  EXPECT_EQ(printable(bytes({0xc0, 0x9b})), "\\xc0\\x9b");                        // overlong ESC
  EXPECT_EQ(printable(bytes({0xe0, 0x80, 0x9b})), "\\xe0\\x80\\x9b");             // overlong
  EXPECT_EQ(printable(bytes({0xed, 0xa0, 0x80})), "\\xed\\xa0\\x80");             // surrogate
  EXPECT_EQ(printable(bytes({0xf4, 0x90, 0x80, 0x80})), "\\xf4\\x90\\x80\\x80");  // > U+10FFFF
  EXPECT_EQ(printable(bytes({0xff, 'a', 0x80})), "\\xffa\\x80");
  // A valid sequence right after an invalid byte is kept.
  EXPECT_EQ(printable(bytes({0xc3, 0xc3, 0xa9})), "\\xc3\xc3\xa9");
}

TEST(Printable, BidiControlsAreEscaped) {
  EXPECT_EQ(printable("a\xe2\x80\xae"
                      "b"),
            "a\\xe2\\x80\\xaeb");                             // U+202E
  EXPECT_EQ(printable("\xe2\x81\xa6x"), "\\xe2\\x81\\xa6x");  // U+2066
  EXPECT_EQ(printable("\xe2\x80\xaf"), "\xe2\x80\xaf");       // U+202F is a space
}

TEST(Printable, EveryByteStringComesOutInert) {
  // Every single byte and every pair, in both modes.
  for (Lines lines : {Lines::kOne, Lines::kMany}) {
    for (int a = 0; a < 256; ++a) {
      ASSERT_TRUE(inert(printable(bytes({a}), lines), lines)) << a;
      for (int b = 0; b < 256; ++b) {
        ASSERT_TRUE(inert(printable(bytes({a, b}), lines), lines)) << a << " " << b;
      }
    }
  }
}
