use trackwire_auth::Denied;
use trackwire_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Forbidden(#[from] Denied),
}
