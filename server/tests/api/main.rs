//! Integration tests: the real server on port 0 with a temporary SQLite file.

mod access;
mod admin;
mod applications;
mod audit;
mod audit_log;
mod backup;
mod cli;
mod complaint_list;
mod complaints;
mod compression;
mod concurrency;
mod crash;
mod dashboard;
mod demo_activity;
mod exports;
mod facility_list;
mod helpers;
mod login;
mod pages;
mod provisioning;
mod quote_upload;
mod security;
mod seed_data;
mod seed_national;
mod user_cli;
mod vendors;
