// Backend list and per-test fixture of the storage contract suite.
// Adding a backend needs no change here: list its URL in RCT_STORAGE_TEST_URLS.
#include "support/storage_backends.h"

#include <cstdlib>

namespace rct_test {

std::vector<StorageBackend> storage_backends() {
  std::vector<StorageBackend> backends{{"sqlite", ""}};
  const char* extra = std::getenv("RCT_STORAGE_TEST_URLS");
  std::string list = extra != nullptr ? extra : "";
  std::size_t start = 0;
  while (start < list.size()) {
    std::size_t comma = list.find(',', start);
    std::string url =
        list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!url.empty()) backends.push_back({url.substr(0, url.find(':')), url});
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return backends;
}

BackendFixture::BackendFixture(const StorageBackend& backend) {
  url_ = backend.url.empty() ? "sqlite:" + dir_.file("host.db") : backend.url;
  std::random_device random;
  suffix_ = std::to_string(random()) + std::to_string(random());
  auto opened = host::open_storage(url_);
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  storage_ = std::move(opened).value();
}

std::string BackendFixture::workspace(const std::string& label) {
  std::string name = unique(label);
  auto status = storage_->add_workspace(name);
  REQUIRE_MESSAGE(status.ok(), status.message());
  return name;
}

}  // namespace rct_test
