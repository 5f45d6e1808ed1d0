// Thin RAII wrappers over libpq, private to the PostgreSQL backend. Every
// statement is sent with text parameters ($1, $2, ...); every failure
// becomes a store Error: a lost or refused connection is Io ("PostgreSQL
// unreachable"), a serialization failure, deadlock or lock timeout is Busy.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain_store/result.h"

namespace paydomain::store::pg {

// A statement parameter in text form; nullopt is SQL NULL.
using Param = std::optional<std::string>;
inline Param P(int64_t v) { return std::to_string(v); }
inline Param P(std::string_view v) { return std::string(v); }
inline Param P(const std::string& v) { return v; }
inline Param P(const char* v) { return std::string(v); }
inline Param P(const std::optional<std::string>& v) { return v; }

class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r) {}
  Rows(Rows&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Rows& operator=(Rows&& o) noexcept;
  Rows(const Rows&) = delete;
  ~Rows() { PQclear(r_); }

  int size() const { return PQntuples(r_); }
  bool empty() const { return size() == 0; }
  bool is_null(int row, int col) const { return PQgetisnull(r_, row, col); }
  std::string text(int row, int col) const;
  int64_t i64(int row, int col) const;
  bool boolean(int row, int col) const { return text(row, col) == "t"; }

 private:
  PGresult* r_;
};

class Conn {
 public:
  ~Conn() { PQfinish(c_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Connects (Io when the server cannot be reached, NotFound when the
  // database does not exist); notices are dropped, not printed.
  static Result<std::unique_ptr<Conn>> connect(const std::string& url);

  Result<Rows> query(std::string_view sql, std::initializer_list<Param> params = {});
  Result<Rows> query(std::string_view sql, const std::vector<Param>& params);
  Status run(std::string_view sql, std::initializer_list<Param> params = {});
  // Several statements, no parameters (schema migrations).
  Status script(const std::string& sql);
  // The first column of the first row as an integer (0 when no row or NULL).
  Result<int64_t> scalar(std::string_view sql, std::initializer_list<Param> params = {});

  // SET statements for this session, applied now and again whenever the
  // connection is re-established.
  Status set_session(const std::string& settings);

  bool broken() const { return PQstatus(c_) != CONNECTION_OK; }
  PGconn* raw() { return c_; }

 private:
  explicit Conn(PGconn* c) : c_(c) {}
  bool restore_session();
  PGconn* c_;
  std::string session_;
};

// Rolls back an open transaction unless committed (early returns stay safe).
class Txn {
 public:
  explicit Txn(Conn& c) : c_(c) {}
  ~Txn() { if (open_) (void)c_.run("ROLLBACK"); }
  Status begin(const char* how = "BEGIN");
  Status commit();

 private:
  Conn& c_;
  bool open_ = false;
};

// The URL with any password replaced by "***", for messages and logs.
std::string redact(const std::string& url);

}  // namespace paydomain::store::pg
