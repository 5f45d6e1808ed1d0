#include "domain_store/postgres/pg.h"

#include <charconv>
#include <cstring>

namespace paydomain::store::pg {
namespace {

void ignore_notice(void*, const char*) {}

// The error of a failed statement, classified by SQLSTATE.
Error statement_error(PGconn* c, const PGresult* r, std::string_view sql) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string code = state ? state : "";
  std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (PQstatus(c) != CONNECTION_OK || code.rfind("08", 0) == 0 || code == "57P01" || code == "57P02" ||
      code == "57P03") {
    return make_error(ErrorCode::Io, "PostgreSQL unreachable: " + msg);
  }
  if (code == "40001" || code == "40P01" || code == "55P03") return make_error(ErrorCode::Busy, msg);
  std::string first(sql.substr(0, sql.find_first_of("\n(")));
  return make_error(ErrorCode::Internal, "PostgreSQL: " + msg + " (in: " + first + ")");
}

}  // namespace

Rows& Rows::operator=(Rows&& o) noexcept {
  if (this != &o) {
    PQclear(r_);
    r_ = o.r_;
    o.r_ = nullptr;
  }
  return *this;
}

std::string Rows::text(int row, int col) const {
  return std::string(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
}

int64_t Rows::i64(int row, int col) const {
  const char* v = PQgetvalue(r_, row, col);
  int64_t out = 0;
  std::from_chars(v, v + std::strlen(v), out);
  return out;
}

Result<std::unique_ptr<Conn>> Conn::connect(const std::string& url) {
  // Defaults the URL may override: give up connecting after 5 s, and find a
  // peer that vanished (no FIN: a network partition, a dead host) by TCP
  // keepalives within ~25 s instead of blocking a thread for hours.
  const char* keys[] = {"connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count", "dbname", nullptr};
  const char* values[] = {"5", "10", "5", "3", url.c_str(), nullptr};
  PGconn* c = PQconnectdbParams(keys, values, 1);
  if (!c) return make_error(ErrorCode::Io, "PostgreSQL: out of memory connecting");
  std::unique_ptr<Conn> conn(new Conn(c));
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    // libpq reports a missing database only by message.
    if (msg.find("does not exist") != std::string::npos && msg.find("database") != std::string::npos) {
      return make_error(ErrorCode::NotFound, "PostgreSQL: " + msg);
    }
    return make_error(ErrorCode::Io, "PostgreSQL unreachable (" + redact(url) + "): " + msg);
  }
  PQsetNoticeProcessor(c, ignore_notice, nullptr);
  return conn;
}

Result<Rows> Conn::query(std::string_view sql, std::initializer_list<Param> params) {
  return query(sql, std::vector<Param>(params));
}

Result<Rows> Conn::query(std::string_view sql, const std::vector<Param>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
  std::string text(sql);
  // A connection that died while idle (the server restarted) shows only
  // when used. A statement that starts a transaction or only reads, sent
  // outside one, changed nothing: reconnect and send it again, once.
  const bool retryable = PQtransactionStatus(c_) == PQTRANS_IDLE &&
                         (text.rfind("BEGIN", 0) == 0 || text.rfind("SELECT", 0) == 0 || text.rfind("WITH", 0) == 0);
  PGresult* r = PQexecParams(c_, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                             nullptr, 0);
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && retryable && PQstatus(c_) != CONNECTION_OK) {
    PQreset(c_);
    if (PQstatus(c_) == CONNECTION_OK && restore_session()) {
      PQclear(r);
      r = PQexecParams(c_, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0);
      st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    }
  }
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    Error e = statement_error(c_, r, sql);
    PQclear(r);
    return e;
  }
  return Rows(r);
}

bool Conn::restore_session() {
  if (session_.empty()) return true;
  PGresult* r = PQexec(c_, session_.c_str());
  bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  return ok;
}

Status Conn::set_session(const std::string& settings) {
  session_ = settings;
  return script(settings);
}

Status Conn::run(std::string_view sql, std::initializer_list<Param> params) {
  auto r = query(sql, params);
  if (!r) return r.take_error();
  return Ok{};
}

Status Conn::script(const std::string& sql) {
  PGresult* r = PQexec(c_, sql.c_str());
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    Error e = statement_error(c_, r, sql);
    PQclear(r);
    return e;
  }
  PQclear(r);
  return Ok{};
}

Result<int64_t> Conn::scalar(std::string_view sql, std::initializer_list<Param> params) {
  auto r = query(sql, params);
  if (!r) return r.take_error();
  if (r->empty() || r->is_null(0, 0)) return int64_t{0};
  return r->i64(0, 0);
}

Status Txn::begin(const char* how) {
  if (Status s = c_.run(how); !s) return s;
  open_ = true;
  return Ok{};
}

Status Txn::commit() {
  open_ = false;
  return c_.run("COMMIT");
}

std::string redact(const std::string& url) {
  // postgresql://user:secret@host/... -> postgresql://user:***@host/...
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t at = url.find('@', scheme + 3);
  size_t slash = url.find('/', scheme + 3);
  std::string out = url;
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
    size_t colon = url.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) out = url.substr(0, colon + 1) + "***" + url.substr(at);
  }
  size_t pw = out.find("password=");
  if (pw != std::string::npos) {
    size_t end = out.find('&', pw);
    out = out.substr(0, pw + 9) + "***" + (end == std::string::npos ? "" : out.substr(end));
  }
  return out;
}

}  // namespace paydomain::store::pg
