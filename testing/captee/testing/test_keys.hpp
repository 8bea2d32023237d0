// Throw-away signing keys generated in-process, cached per process because
// RSA key generation is slow. For tests, benchmarks and fuzzers only.
#pragma once

#include <string>

namespace captee::testing {

// PEM text (PKCS#8) of a generated private key.
const std::string &rsa_private_pem(int bits);
const std::string &ec_private_pem();  // P-256
// The SubjectPublicKeyInfo PEM of a private key's public half.
std::string public_pem_of(const std::string &private_pem);

}  // namespace captee::testing
