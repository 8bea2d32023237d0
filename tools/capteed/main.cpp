// capteed: the TEE daemon. Behaviour lives in captee::tee (src/tee).
#include "captee/tee/programs.hpp"

int main(int argc, char **argv) {
  return captee::tee::capteed_main(argc, argv);
}
