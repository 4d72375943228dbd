// A self-signed TLS certificate and its private key for local use of `pathaudit serve` (DESIGN.md
// section 7): made by `pathaudit init` in the data directory so the service is HTTPS from the
// first start. For production an administrator gives a certificate from the organisation's CA
// instead (--tls-cert, --tls-key). OpenSSL 3.0 EVP and X509 APIs only. Free functions,
// thread-safe.
#pragma once

#include <string>
#include <vector>

namespace pathaudit::crypto {

struct SelfSignedOptions {
  std::string common_name = "localhost";
  std::vector<std::string> dns_names{"localhost"};
  std::vector<std::string> ip_addresses{"127.0.0.1", "::1"};
  int days = 397;
};

// Writes a new ECDSA P-256 private key (PEM, PKCS#8, mode 0400) to `key_path` and a self-signed
// X.509 v3 certificate for it (PEM, mode 0644; subjectAltName from `options`, extendedKeyUsage
// serverAuth, SHA-256 signature, random 128-bit serial) to `cert_path`. Refuses to overwrite or
// follow a symlink at either path (core::ValidationError); removes both files if any step fails
// (core::CryptoError from OpenSSL, core::Error for file errors).
void create_self_signed_certificate(const std::string& cert_path, const std::string& key_path,
                                    const SelfSignedOptions& options = {});

}  // namespace pathaudit::crypto
