// Files pathaudit writes that hold case data (exports, backups): created 0600 and exclusively, so
// nothing is ever readable by others or overwritten, synced before they are published, and
// published under their final name only when complete. Free functions; thread-safe.
#pragma once

#include <string>

namespace pathaudit::service {

// Lower-case hex SHA-256 of a file's bytes, streamed. core::Error naming `what` if unreadable.
std::string file_sha256(const std::string& path, const std::string& what = "the file");

// Creates `path` empty with mode 0600, refusing an existing file or a symlink. core::Error naming
// `what` and the reason.
void create_private_file(const std::string& path, const std::string& what);

// fsyncs a file, then the directory holding it. core::Error naming `what` on failure.
void sync_file(const std::string& path, const std::string& what);
void sync_directory(const std::string& dir);

// Gives the complete file `from` the name `to` in the same directory without ever replacing an
// existing `to` (a hard link, then the old name removed), then syncs the directory.
// core::ValidationError when `to` exists: pathaudit never overwrites a file.
void publish_file(const std::string& from, const std::string& to);

}  // namespace pathaudit::service
