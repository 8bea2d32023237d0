// captee-rprocd: the host-side remote-processor manager (src/rproc).
#include "captee/rproc/programs.hpp"

int main(int argc, char **argv) {
  return captee::rproc::rprocd_main(argc, argv);
}
