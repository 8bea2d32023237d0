// Validation of a processor's reserved memory and address aliases, part of
// validate() (description.cpp).
#pragma once

#include <string>

#include "captee/platform/description.hpp"

namespace captee::platform {

// Empty when `p`'s reserved memory and aliases are valid: within the limits,
// named uniquely in 1 to 31 characters (they travel in 32-byte NUL-terminated
// names), non-empty, inside the 32-bit address space, every alias onto one of
// the processor's regions, and every reserved region seen by the processor
// inside one of its regions. `who` starts the sentence ("processor 0").
std::string validate_reserved_memory(const ProcessorDescription &p, const std::string &who);

}  // namespace captee::platform
