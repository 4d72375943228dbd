// `pathaudit init`: make a data directory ready to use. Stateless use case; not for concurrent use
// on one directory (it is run once, by an administrator).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pathaudit::service {

struct InitRequest {
  std::string data_dir;
  std::optional<std::string> partnership_file;
  // Use this existing master key instead of creating DIR/master.key.
  std::optional<std::string> master_key_file;
  std::string actor;
};

struct InitResult {
  bool created = false;          // false: the directory was already initialised; nothing changed
  std::vector<std::string> did;  // one line per thing done, for the user
};

// Validates everything first (partnership file, master key), then creates the directory (0700), the
// master key (0400) unless one is given, the database with its schema, the data keys, the
// partnership and its agencies, pathaudit.properties, and the first audit-log entry. On failure,
// whatever this call created is removed again.
InitResult initialise(const InitRequest& request);

// Writes DIR/pathaudit.properties (mode 0600) naming the database and the master key file; used by
// init and by a restore into a new data directory. core::Error if it cannot be written.
void write_properties(const std::string& path, const std::string& master_key_file);

// The database schema version this build writes (for `pathaudit --version`).
int schema_version_supported();

}  // namespace pathaudit::service
