//! The example services, as a program offers them to its scenarios.

pub mod atomic;
pub mod diesel;
pub mod naive;
pub mod patterns;
pub mod redis_claim;
pub mod sql;

/// Every example service, and how to run the program that offers them.
pub fn services() -> idemsim::Services {
    idemsim::Services::new()
        .with(naive::service())
        .with(redis_claim::service())
        .with(atomic::service())
        .with(patterns::detached_lease_service())
        .with(patterns::timeout_calls_service())
        .with(patterns::sweeper_service())
        .with(sql::service(sql::Variant::KeyFirst))
        .with(sql::service(sql::Variant::CheckThenInsert))
        .with(sql::service(sql::Variant::OneTransaction))
        .with(sql::service(sql::Variant::OnConflict))
        .with(sql::service_bb8())
        .with(diesel::service(diesel::Level::Serializable))
        .with(diesel::service(diesel::Level::RepeatableRead))
        .program("cargo run --release --example services --")
}
