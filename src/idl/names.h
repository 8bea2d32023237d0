// Spellings: IDL primitive names and the reserved words of the target languages.
#pragma once

#include <optional>
#include <string_view>

#include "captee/idl/ast.h"

namespace captee::idl {

std::optional<Primitive> primitive_from_name(std::string_view name);
// C11 keywords (plus the few macros every C header defines, like `bool`).
bool is_c_keyword(std::string_view name);
// C++20 keywords and alternative tokens.
bool is_cpp_keyword(std::string_view name);

}  // namespace captee::idl
