// A peripheral page whose registers read back what firmware writes, with the
// reset values its subclass gives: the base of the clock, power and system
// configuration models, where firmware mostly writes a setting and reads it
// back.
#pragma once

#include <array>
#include <cstdint>

#include "peripheral.hpp"

namespace captee::platform {

class RegisterFile : public Peripheral {
 public:
  static constexpr uint32_t kWords = 1024;  // one 4 KiB page

  uint32_t read(uint32_t offset, unsigned size) override {
    return read_lanes(read_word(offset & ~3u), offset, size);
  }
  void write(uint32_t offset, unsigned size, uint32_t value) override {
    write_word(offset & ~3u, value, offset, size);
  }
  void reset() override {
    regs_.fill(0);
    set_reset_values();
  }

 protected:
  // Hooks for a model's special registers; the defaults store.
  virtual uint32_t read_word(uint32_t offset) { return reg(offset); }
  virtual void write_word(uint32_t offset, uint32_t value, uint32_t at, unsigned size) {
    reg(offset) = merge_lanes(reg(offset), value, at, size);
  }
  virtual void set_reset_values() {}

  uint32_t &reg(uint32_t offset) { return regs_[(offset / 4) % kWords]; }

 private:
  std::array<uint32_t, kWords> regs_{};
};

}  // namespace captee::platform
