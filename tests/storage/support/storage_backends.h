// The storage backends the contract suite runs against: SQLite always, plus every URL listed
// in RCT_STORAGE_TEST_URLS (comma-separated), which is how a PostgreSQL server is added.
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "storage/storage.h"
#include "support/temp_dir.h"

namespace rct_test {

struct StorageBackend {
  std::string name;
  std::string url;  // empty: a fresh SQLite file in the test's temporary directory
};

std::vector<StorageBackend> storage_backends();

// One opened backend for one test. Workspace names carry a random suffix so that tests can
// share a server database without seeing each other's rows.
class BackendFixture {
 public:
  explicit BackendFixture(const StorageBackend& backend);

  host::Storage& storage() { return *storage_; }
  const std::string& url() const { return url_; }
  // A workspace name unique to this fixture, created in storage.
  std::string workspace(const std::string& label);
  // A workspace name unique to this fixture, not created.
  std::string unique(const std::string& label) const { return label + "-" + suffix_; }

 private:
  TempDir dir_;
  std::string url_;
  std::string suffix_;
  std::unique_ptr<host::Storage> storage_;
};

// Runs `test(fixture)` once per backend, naming the backend in any failure.
template <typename F>
void for_each_backend(F&& test) {
  for (const auto& backend : storage_backends()) {
    INFO("backend: " << backend.name);
    BackendFixture fixture(backend);
    test(fixture);
  }
}

}  // namespace rct_test
