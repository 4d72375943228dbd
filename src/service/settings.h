// Where a data directory's files are and how its settings resolve. Precedence (DESIGN.md section
// 8): pathaudit.properties < environment (PATHAUDIT_<KEY>, upper-case) < command line. Immutable
// after construction; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace pathaudit::service {

// The data directory: --data-dir, else $PATHAUDIT_DATA_DIR, else ./pathaudit-data.
std::string resolve_data_dir(const std::optional<std::string>& from_command_line);

class Settings {
 public:
  // Reads DIR/pathaudit.properties when present. `overrides` are the command line's values.
  Settings(std::string data_dir, std::map<std::string, std::string> overrides);

  const std::string& data_dir() const { return data_dir_; }
  std::string properties_path() const { return data_dir_ + "/pathaudit.properties"; }
  std::string database_path() const;
  std::string master_key_file() const;
  std::string templates_dir() const;
  // The TLS certificate and private key `serve` uses: tls_cert_file and tls_key_file, by default
  // the self-signed pair `init` makes in the data directory.
  std::string tls_cert_file() const;
  std::string tls_key_file() const;

  // The resolved value of a key, or nullopt when no layer sets it.
  std::optional<std::string> get(const std::string& key) const;

 private:
  std::string resolve_path(const std::string& value) const;

  std::string data_dir_;
  std::map<std::string, std::string> file_;
  std::map<std::string, std::string> overrides_;
};

// A whole-number setting within [min, max], `fallback` when no layer sets it; core::ValidationError
// naming the key otherwise.
std::int64_t setting_int(const Settings& settings, const char* key, std::int64_t fallback,
                         std::int64_t min, std::int64_t max);

}  // namespace pathaudit::service
