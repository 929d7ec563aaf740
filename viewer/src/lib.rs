#![doc = include_str!("../README.md")]

pub mod app;
pub mod blank;
pub mod cli;
pub mod frames;
pub mod human;
pub mod sim;
pub mod ui;
