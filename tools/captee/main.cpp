// captee: the command line for a running capteed (src/tee/cli.cpp) and, with
// `captee rproc`, for captee-rprocd (src/rproc/cli.cpp).
#include <iostream>

#include "captee/rproc/programs.hpp"
#include "captee/tee/programs.hpp"

int main(int argc, char **argv) {
  std::unique_ptr<captee::CliExtension> rproc = captee::rproc::make_rproc_cli();
  captee::CliExtension *extensions[] = {rproc.get()};
  return captee::tee::captee_cli_main(argc, argv, std::cout, std::cerr, extensions);
}
