// captee: the command line for a running capteed (src/tee/cli.cpp).
#include <iostream>

#include "captee/tee/programs.hpp"

int main(int argc, char **argv) {
  return captee::tee::captee_cli_main(argc, argv, std::cout, std::cerr);
}
