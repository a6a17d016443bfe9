//! What the two benchmark peers share: recorded routes and how a request finds its answer.

pub mod routes;
