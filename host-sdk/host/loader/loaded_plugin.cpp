// Lifecycle of a loaded plugin: create, guarded start, and teardown in a fixed order.
// The library handle is released last, after no plugin code or object can be reached.
#include "loader/loaded_plugin.h"

#include <boost/dll/shared_library.hpp>
#include <exception>

namespace host::loader {

LoadedPlugin::LoadedPlugin(Manifest manifest, std::filesystem::path directory,
                           std::unique_ptr<boost::dll::shared_library> library,
                           const hostsdk_descriptor* descriptor, std::unique_ptr<HostAdapter> host)
    : manifest_(std::move(manifest)),
      directory_(std::move(directory)),
      library_(std::move(library)),
      descriptor_(descriptor),
      host_(std::move(host)) {}

LoadedPlugin::~LoadedPlugin() {
  stop();
  destroy();
  unload();
}

bool LoadedPlugin::create() noexcept {
  void* raw = descriptor_->create();
  instance_ = static_cast<hostsdk::Plugin*>(raw);
  return instance_ != nullptr;
}

bool LoadedPlugin::start(std::string& error) noexcept {
  try {
    hostsdk::Status status = instance_->start(*host_);
    if (!status.ok()) {
      error = "start() returned an error: " + status.message();
      return false;
    }
    started_ = true;
    return true;
  } catch (const std::exception& e) {
    error = std::string("start() threw: ") + e.what();
  } catch (...) {
    error = "start() threw a non-standard exception";
  }
  return false;
}

void LoadedPlugin::close_registration() noexcept {
  host_->recording().close();
  try {
    routes_ = host_->recording().routes();
    permissions_ = host_->recording().permissions();
  } catch (...) {
    routes_.clear();
    permissions_.clear();
  }
}

void LoadedPlugin::stop() noexcept {
  if (started_ && instance_ != nullptr) instance_->stop();
  started_ = false;
}

void LoadedPlugin::destroy() noexcept {
  if (instance_ != nullptr) descriptor_->destroy(instance_);
  instance_ = nullptr;
  routes_.clear();
}

void LoadedPlugin::unload() noexcept {
  if (instance_ != nullptr) return;  // never unload code that still has a live object
  host_.reset();
  library_.reset();
}

PluginSet::~PluginSet() { shutdown(); }

const LoadedPlugin* PluginSet::find(std::string_view id) const noexcept {
  for (const auto& p : plugins_) {
    if (p->manifest().id == id) return p.get();
  }
  return nullptr;
}

void PluginSet::shutdown() noexcept {
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) (*it)->stop();
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) (*it)->destroy();
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) (*it)->unload();
  plugins_.clear();
}

}  // namespace host::loader
