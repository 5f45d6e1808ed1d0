// Beast's basic_parser does the tokenizing; the callbacks here build our
// Request directly (no beast::http::fields, whose insert throws on a field
// longer than 64 KiB: the crash of a long trailer field) and add the framing
// rules Beast leaves to its user.
#include "server/request_reader.h"

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cctype>
#include <vector>

namespace paydomain::server {

namespace beast = boost::beast;
namespace http = beast::http;
using error_code = boost::system::error_code;
using beast::string_view;

namespace {

// ASCII only, as field names and codings are (std::tolower is a locale call per byte).
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

class Parser final : public http::basic_parser<true> {
 public:
  explicit Parser(size_t header_limit) : header_limit_(header_limit) {}
  Request req;
  std::optional<ReadError> framing;  // a rule of ours broken inside a callback

 private:
  void on_request_impl(http::verb, string_view method, string_view target, int version,
                       error_code&) override {
    req.method.assign(method.data(), method.size());
    req.target.assign(target.data(), target.size());
    version_ = version;
  }

  void on_response_impl(int, string_view, int, error_code& ec) override { ec = http::error::bad_version; }

  void on_field_impl(http::field f, string_view name, string_view value, error_code& ec) override {
    if (is_header_done()) {  // a trailer field: read, bounded like the header, dropped
      trailer_bytes_ += name.size() + value.size() + 4;
      if (trailer_bytes_ > header_limit_) {
        framing = ReadError{431, "headers-too-large", "the request's trailer fields are too large"};
        ec = http::error::header_limit;
      }
      return;
    }
    std::string_view v(value.data(), value.size());
    if (f == http::field::transfer_encoding) transfer_encodings_.emplace_back(v);
    if (f == http::field::content_length) content_length_ = true;
    if (f == http::field::host) ++hosts_;
    auto [it, fresh] = req.headers.try_emplace(lower(std::string_view(name.data(), name.size())), v);
    if (!fresh) it->second.append(", ").append(v);
  }

  void on_header_impl(error_code& ec) override {
    auto fail = [&](int status, std::string code, std::string message) {
      framing = ReadError{status, std::move(code), std::move(message)};
      ec = http::error::bad_transfer_encoding;  // stops the parser; `framing` says why
    };
    if (hosts_ > 1) return fail(400, "bad-request", "more than one Host header");
    if (transfer_encodings_.empty()) return;
    if (version_ < 11) return fail(400, "bad-request", "Transfer-Encoding in an HTTP/1.0 request");
    if (content_length_) return fail(400, "bad-request", "both Content-Length and Transfer-Encoding");
    std::vector<std::string> codings;
    for (const std::string& header : transfer_encodings_) {
      std::string_view rest = header;
      while (true) {
        size_t comma = rest.find(',');
        std::string_view item = trim(rest.substr(0, comma));
        if (!item.empty()) codings.push_back(lower(item));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
    if (codings.empty() || codings.back() != "chunked")
      return fail(400, "bad-request", "the final transfer coding must be 'chunked'");
    for (size_t i = 0; i + 1 < codings.size(); ++i) {
      if (codings[i] == "chunked") return fail(400, "bad-request", "'chunked' applied more than once");
      return fail(501, "not-implemented", "transfer coding '" + codings[i] + "' is not supported");
    }
  }

  void on_body_init_impl(boost::optional<std::uint64_t> const& length, error_code&) override {
    if (length) req.body.reserve(static_cast<size_t>(*length));  // already checked against the body limit
  }

  size_t on_body_impl(string_view body, error_code&) override {
    req.body.append(body.data(), body.size());
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}

  size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    req.body.append(body.data(), body.size());
    return body.size();
  }

  void on_finish_impl(error_code&) override {}

  size_t header_limit_;
  size_t trailer_bytes_ = 0;
  int version_ = 11;
  int hosts_ = 0;
  bool content_length_ = false;
  std::vector<std::string> transfer_encodings_;
};

// An obs-fold line (a header line starting with a space or tab) in a
// complete header section [0, end).
bool has_obs_fold(std::string_view header) {
  for (size_t i = header.find('\n'); i != std::string_view::npos && i + 1 < header.size();
       i = header.find('\n', i + 1))
    if (header[i + 1] == ' ' || header[i + 1] == '\t') return true;
  return false;
}

}  // namespace

struct RequestReader::Impl {
  size_t header_limit, body_limit;
  std::optional<Parser> parser;
  std::optional<ReadError> error;
  bool begun = false;

  void reset() {
    parser.emplace(header_limit);
    parser->header_limit(static_cast<std::uint32_t>(header_limit));
    parser->body_limit(body_limit);
    parser->eager(true);
    begun = false;
  }
  void fail(int status, std::string code, std::string message) {
    error = ReadError{status, std::move(code), std::move(message)};
  }
};

RequestReader::RequestReader(size_t header_limit, size_t body_limit) : impl_(std::make_unique<Impl>()) {
  impl_->header_limit = header_limit;
  impl_->body_limit = body_limit;
  impl_->reset();
}

RequestReader::~RequestReader() = default;

size_t RequestReader::parse(std::string_view data) {
  Impl& m = *impl_;
  if (m.error || m.parser->is_done()) return 0;
  if (!data.empty()) m.begun = true;
  Parser& p = *m.parser;
  if (!p.is_header_done()) {
    size_t end = data.find("\r\n\r\n");
    if (end != std::string_view::npos && has_obs_fold(data.substr(0, end + 2))) {
      m.fail(400, "bad-request", "obs-fold (a header line starting with whitespace) is not accepted");
      return 0;
    }
  }
  size_t used = 0;
  try {
    while (!p.is_done()) {
      error_code ec;
      size_t n = p.put(boost::asio::const_buffer(data.data() + used, data.size() - used), ec);
      used += n;
      if (p.framing) {
        m.error = std::move(p.framing);
        return used;
      }
      if (ec == http::error::need_more) break;
      if (ec == http::error::header_limit) {
        m.fail(431, "headers-too-large", "the request headers are too large");
        return used;
      }
      if (ec == http::error::body_limit) {
        m.fail(413, "body-too-large", "the request body exceeds " + std::to_string(m.body_limit) + " bytes");
        return used;
      }
      if (ec) {
        m.fail(400, "bad-request", "malformed HTTP request: " + ec.message());
        return used;
      }
      if (n == 0) break;
    }
  } catch (const std::exception& e) {  // allocation failure; nothing else throws here
    m.fail(400, "bad-request", std::string("malformed HTTP request: ") + e.what());
    return used;
  }
  // What waits unconsumed is a header or trailer section or a chunk-size
  // line; none may exceed the header limit (trailers would otherwise grow
  // without bound).
  if (!p.is_done() && data.size() - used > m.header_limit)
    m.fail(431, "headers-too-large", "the request headers or trailers are too large");
  return used;
}

bool RequestReader::done() const { return !impl_->error && impl_->parser->is_done(); }
const std::optional<ReadError>& RequestReader::error() const { return impl_->error; }
bool RequestReader::begun() const { return impl_->begun; }
bool RequestReader::keep_alive() const { return impl_->parser->keep_alive(); }

Request RequestReader::take() {
  Request req = std::move(impl_->parser->req);
  size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) req.query = parse_query(std::string_view(req.target).substr(q + 1));
  impl_->reset();
  return req;
}

}  // namespace paydomain::server
