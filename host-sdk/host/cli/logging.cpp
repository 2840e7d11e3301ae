// Installs the stderr logger as spdlog's default. Each line is written as it is logged,
// except that a request's lines (services/logger_service.h LogLineHold) wait for its request
// line and leave with it in one write, before the answer is sent. A line can thus be lost
// only with a request that was never answered; warnings and errors are written at once.
#include "cli/logging.h"

#include <fmt/format.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <iterator>
#include <memory>
#include <mutex>
#include <string_view>

#include "services/logger_service.h"

namespace host::cli {
namespace {

enum class LogFormat { kText, kJson };

// Held lines are written anyway once this many bytes wait.
constexpr std::size_t kMaxHeldBytes = 64 * 1024;

void append_escaped_json(std::string& out, std::string_view s);

// "YYYY-MM-DDTHH:MM:SS" of one second, in local time or UTC, kept until the second changes.
class SecondText {
 public:
  explicit SecondText(bool utc) : utc_(utc) {}
  std::string_view of(std::time_t seconds) {
    if (seconds != seconds_ || length_ == 0) {
      std::tm parts{};
      if (utc_) {
        gmtime_r(&seconds, &parts);
      } else {
        localtime_r(&seconds, &parts);
      }
      length_ = std::strftime(text_, sizeof text_, "%Y-%m-%dT%H:%M:%S", &parts);
      seconds_ = seconds;
    }
    return {text_, length_};
  }

 private:
  bool utc_;
  std::time_t seconds_ = 0;
  char text_[32] = {};
  std::size_t length_ = 0;
};

class StderrLineSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit StderrLineSink(LogFormat format)
      : format_(format), seconds_(format == LogFormat::kJson) {}
  ~StderrLineSink() override {
    std::lock_guard lock(mutex_);
    write_out();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (format_ == LogFormat::kJson) {
      append_json(msg);
    } else {
      append_text(msg);
    }
    if (!LogLineHold::active() || msg.level >= spdlog::level::warn ||
        buffer_.size() >= kMaxHeldBytes) {
      write_out();
    }
  }
  void flush_() override { write_out(); }
  // The format is this sink's own; patterns set elsewhere do not apply.
  void set_pattern_(const std::string&) override {}
  void set_formatter_(std::unique_ptr<spdlog::formatter>) override {}

 private:
  void append_time(const spdlog::details::log_msg& msg) {
    using namespace std::chrono;
    auto since_epoch = msg.time.time_since_epoch();
    auto whole = duration_cast<seconds>(since_epoch);
    auto millis = duration_cast<milliseconds>(since_epoch - whole).count();
    buffer_ += seconds_.of(static_cast<std::time_t>(whole.count()));
    fmt::format_to(std::back_inserter(buffer_), ".{:03}", millis);
  }

  // <local time> <level> <message>
  void append_text(const spdlog::details::log_msg& msg) {
    append_time(msg);
    buffer_ += ' ';
    auto level = spdlog::level::to_string_view(msg.level);
    buffer_.append(level.data(), level.size());
    buffer_ += ' ';
    buffer_.append(msg.payload.data(), msg.payload.size());
    buffer_ += '\n';
  }

  void append_json(const spdlog::details::log_msg& msg) {
    buffer_ += R"({"time":")";
    append_time(msg);
    buffer_ += R"(Z","level":")";
    auto level = spdlog::level::to_string_view(msg.level);
    buffer_.append(level.data(), level.size());
    buffer_ += R"(","msg":)";
    append_escaped_json(buffer_, {msg.payload.data(), msg.payload.size()});
    if (const RequestLogFields* request = RequestLogScope::current()) {
      auto field = [&](const char* name, std::string_view value) {
        buffer_ += ",\"";
        buffer_ += name;
        buffer_ += "\":";
        if (value.empty()) {
          buffer_ += "null";
        } else {
          append_escaped_json(buffer_, value);
        }
      };
      field("method", request->method);
      field("path", request->path);
      field("route", request->route);
      fmt::format_to(std::back_inserter(buffer_), R"(,"status":{},"duration_ms":{:.3f})",
                     request->status, request->duration_ms);
      field("workspace", request->workspace);
      field("caller_id", request->caller_id);
      field("request_id", request->request_id);
    }
    buffer_ += "}\n";
  }

  void write_out() {
    std::size_t written = 0;
    while (written < buffer_.size()) {
      ssize_t n = ::write(STDERR_FILENO, buffer_.data() + written, buffer_.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // nowhere to write: the lines are dropped, the host goes on
      written += static_cast<std::size_t>(n);
    }
    buffer_.clear();
  }

  LogFormat format_;
  SecondText seconds_;
  std::string buffer_;  // formatted lines not yet written
};

// The length of the UTF-8 sequence at `s[i]`, or 0 when the bytes there are not valid
// UTF-8 (overlong forms, surrogates and values past U+10FFFF included).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return k < s.size() && byte(k) >= lo && byte(k) <= hi;
  };
  unsigned b = byte(i);
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (b == 0xE0) return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0;
  if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (b == 0xED) return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;
  if (b == 0xF0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (b >= 0xF1 && b <= 0xF3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (b == 0xF4) return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;
}

// A JSON string: quotes, backslashes and control characters escaped; bytes that are not
// UTF-8 become U+FFFD, so every line parses whatever a message carries.
void append_escaped_json(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    char c = s[i];
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        } else if (std::size_t n = utf8_length(s, i); n == 0) {
          out += "\\ufffd";
        } else {
          out.append(s.data() + i, n);
          i += n;
          continue;
        }
    }
    ++i;
  }
  out += '"';
}

}  // namespace

bool configure_logging(const std::string& level, const std::string& format) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") return false;
  LogFormat log_format;
  if (format == "text") {
    log_format = LogFormat::kText;
  } else if (format == "json") {
    log_format = LogFormat::kJson;
  } else {
    return false;
  }
  auto logger =
      std::make_shared<spdlog::logger>("rchost", std::make_shared<StderrLineSink>(log_format));
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::warn);  // the sink writes those at once anyway
  spdlog::set_default_logger(logger);
  // Lines held by a request that is never answered still leave within a second.
  spdlog::flush_every(std::chrono::seconds(1));
  return true;
}

bool configure_logging(const std::string& level) { return configure_logging(level, "text"); }

}  // namespace host::cli
