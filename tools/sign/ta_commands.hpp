// captee-sign's TA subcommands: `ta` signs a TA's ELF in OP-TEE's signed TA
// format (the options of OP-TEE's sign_encrypt.py sign-enc), `ta-verify`
// checks one against a key.
#pragma once

#include <CLI/CLI.hpp>

namespace captee::sign_tool {

// Adds both subcommands to `app`; their callbacks set *exit_code.
void add_ta_commands(CLI::App &app, int *exit_code);

}  // namespace captee::sign_tool
