// captee-supplicant: serves OP-TEE supplicant plugins to trusted apps
// (src/supplicant).
#include "captee/supplicant/programs.hpp"

int main(int argc, char **argv) {
  return captee::supplicant::supplicant_main(argc, argv);
}
