#include "crypto/tls_certificate.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/errors.h"
#include "crypto/openssl_util.h"
#include "crypto/random.h"

namespace pathaudit::crypto {
namespace {

using detail::throw_openssl_error;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};

// The PEM text of whatever `write` puts into a memory BIO.
template <class F>
std::string pem_of(F&& write, const char* what) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1)
    throw_openssl_error(what);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  std::string out(data, static_cast<std::size_t>(n));
  return out;
}

// Creates `path` exclusively with `mode` and writes `text`, synced. The caller removes it on a
// later failure.
void write_new_file(const std::string& path, const std::string& text, mode_t mode) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      throw core::ValidationError(path + " already exists; refusing to overwrite it");
    throw core::Error(path + " cannot be created: " + std::strerror(errno));
  }
  std::size_t written = 0;
  bool ok = true;
  while (ok && written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    ok = n > 0;
    if (ok)
      written += static_cast<std::size_t>(n);
  }
  ok = ok && ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok) {
    ::unlink(path.c_str());
    throw core::Error(path + " cannot be written: " + std::strerror(errno));
  }
}

void add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    throw_openssl_error("cannot add a certificate extension");
}

}  // namespace

void create_self_signed_certificate(const std::string& cert_path, const std::string& key_path,
                                    const SelfSignedOptions& options) {
  struct stat st {};
  for (const std::string* p : {&cert_path, &key_path}) {
    if (::lstat(p->c_str(), &st) == 0)
      throw core::ValidationError(*p + " already exists; refusing to overwrite it");
  }

  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
  if (!key)
    throw_openssl_error("cannot generate a P-256 key");

  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1)
    throw_openssl_error("cannot make a certificate");

  // A positive 128-bit random serial: RFC 5280 wants it unique per issuer, and each init is its
  // own issuer, so randomness is what keeps two data directories' certificates apart.
  Bytes serial = random_bytes(16);
  serial[0] &= 0x7f;
  std::unique_ptr<BIGNUM, BnFree> bn(
      BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())))
    throw_openssl_error("cannot set the certificate serial");

  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * options.days))
    throw_openssl_error("cannot set the certificate validity");

  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>("pathaudit (local)"), -1,
                                 -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(options.common_name.c_str()), -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1)
    throw_openssl_error("cannot set the certificate name");
  if (X509_set_pubkey(cert.get(), key.get()) != 1)
    throw_openssl_error("cannot set the certificate key");

  std::string san;
  for (const auto& d : options.dns_names)
    san += (san.empty() ? "DNS:" : ",DNS:") + d;
  for (const auto& ip : options.ip_addresses)
    san += (san.empty() ? "IP:" : ",IP:") + ip;
  // No keyUsage extension: OpenSSL treats a self-signed certificate whose keyUsage lacks
  // keyCertSign as not self-issued, and clients that trust this very certificate could not build
  // a chain to it.
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), NID_subject_key_identifier, "hash");
  if (!san.empty())
    add_extension(cert.get(), NID_subject_alt_name, san);

  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
    throw_openssl_error("cannot sign the certificate");

  std::string key_pem = pem_of(
      [&](BIO* b) {
        return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
      },
      "cannot encode the private key");
  detail::ScopedCleanse wipe(key_pem.data(), key_pem.size());
  const std::string cert_pem = pem_of([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); },
                                      "cannot encode the "
                                      "certificate");

  write_new_file(key_path, key_pem, 0400);
  try {
    write_new_file(cert_path, cert_pem, 0644);
  } catch (...) {
    ::unlink(key_path.c_str());
    throw;
  }
}

}  // namespace pathaudit::crypto
