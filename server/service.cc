#include "server/service.h"

#include "domain_store/store_factory.h"

namespace paydomain::server {

paydomain::Result<std::unique_ptr<Service>, std::string> Service::open(const ServiceConfig& config) {
  std::unique_ptr<Service> s(new Service(config));
  const ServiceConfig& c = s->config_;
  auto st = store::open_store(c.db_path);
  if (!st) return "cannot open store " + store::store_display_name(c.db_path) + ": " + st.error().message;
  s->store_ = std::move(st.value());
  auto tokens = store::open_token_store(c.db_path);
  if (!tokens)
    return "cannot open the token table of " + store::store_display_name(c.db_path) + ": " + tokens.error().message;
  s->tokens_ = std::move(tokens.value());

  Service* self = s.get();
  store::Store& store = *s->store_;
  s->workers_ = std::make_unique<Workers>(c.workers);
  s->compiled_ = std::make_unique<CompiledRevisions>(store, *s->workers_, c.cache_bytes);
  s->head_ = std::make_unique<HeadTracker>(
      c.head_poll, HeadTracker::Hooks{[self] { return self->store_->head(); },
                                      [self](store::Rev rev) { return self->read_->head_answer(rev); },
                                      [self](store::Rev rev) { self->compiled_->advance_head(rev); }});
  s->auth_ = std::make_unique<TokenAuth>(*s->tokens_, c.token_cache_ttl);
  s->read_ = std::make_unique<ReadApi>(c, store, *s->head_, *s->workers_, s->stopping_);
  s->evaluate_ = std::make_unique<EvaluateApi>(c, store, *s->compiled_, *s->workers_);
  s->write_ = std::make_unique<WriteApi>(c, store, *s->head_, *s->workers_);
  s->ops_ = std::make_unique<OpsApi>(c, *s->compiled_, *s->head_, *s->workers_, s->stopping_);
  s->impact_ = std::make_unique<ImpactApi>(store, *s->compiled_, *s->workers_);
  return s;
}

Service::~Service() {
  begin_shutdown();
  finish();
}

void Service::add_routes(Router& r) {
  ops_->add_routes(r);
  auth_->add_routes(r);
  read_->add_routes(r);
  evaluate_->add_routes(r);
  write_->add_routes(r);
  impact_->add_routes(r);
  ops_->add_static_routes(r);  // last: "/{file}" matches any one segment
}

void Service::attach_metrics(Metrics* metrics) {
  compiled_->attach_metrics(metrics);
  head_->attach_metrics(metrics);
  evaluate_->attach_metrics(metrics);
  ops_->attach_metrics(metrics);
}

paydomain::Result<Ok, std::string> Service::start() {
  auto h = store_->head();
  if (!h) return "cannot read head: " + h.error().message;
  auto c = compiled_->start_head(*h);
  if (!c) return "cannot compile head revision " + std::to_string(*h) + ": " + c.error().message;
  head_->start(*h, config_.db_path);
  return Ok{};
}

void Service::begin_shutdown() {
  if (head_) head_->stop();
}

void Service::finish() {
  if (head_) head_->join();
  if (workers_) workers_->shutdown();
}

}  // namespace paydomain::server
