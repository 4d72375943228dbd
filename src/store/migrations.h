// Forward-only, numbered schema migrations, recorded in schema_migrations. Never edit a migration
// that has shipped: add the next number. Called by Database::open inside its write transaction, so
// the pending migrations apply all together or not at all.
#pragma once

#include "store/database.h"

namespace pathaudit::store {

// The highest migration this binary knows.
int latest_schema_version();

// 0 for an empty database.
int current_schema_version(Session& s);

// Applies every pending migration. Throws core::ConflictError if the database was written by a
// newer pathaudit (its version is above latest_schema_version()).
void apply_migrations(Session& s);

}  // namespace pathaudit::store
