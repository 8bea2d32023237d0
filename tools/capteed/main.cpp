// capteed: the TEE daemon. Behaviour lives in captee::tee (src/tee); the
// remote processors plug in from the ta layer.
#include "captee/ta/remoteproc_extension.hpp"
#include "captee/tee/programs.hpp"

int main(int argc, char **argv) {
  captee::ta::RemoteprocExtension remoteproc;
  captee::tee::DaemonExtension *extensions[] = {&remoteproc};
  return captee::tee::capteed_main(argc, argv, extensions);
}
