#include "service/session_cache.h"

namespace pathaudit::service {

std::shared_ptr<const SessionCache::Entry> SessionCache::find(const crypto::Digest& token_hash,
                                                              Clock::time_point at) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = entries_.find(token_hash);
  if (it == entries_.end() || at - it->second->cached_at >= kTtl || at < it->second->cached_at)
    return nullptr;
  return it->second;
}

void SessionCache::put(const crypto::Digest& token_hash, std::shared_ptr<const Entry> entry) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (entries_.size() >= kMaxEntries && entries_.find(token_hash) == entries_.end()) {
    const Clock::time_point now = Clock::now();
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (now - it->second->cached_at >= kTtl)
        it = entries_.erase(it);
      else
        ++it;
    }
    if (entries_.size() >= kMaxEntries)
      entries_.clear();  // as many live sessions as that in 2 s: they are read again
  }
  entries_[token_hash] = std::move(entry);
}

void SessionCache::forget(const crypto::Digest& token_hash) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.erase(token_hash);
}

std::size_t SessionCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

}  // namespace pathaudit::service
