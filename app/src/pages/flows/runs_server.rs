//! The server functions of the runs views, the draft test and the secrets. Work in progress.
