//! `GET /v1/demo/personas`: the demo's people and a fresh token for each,
//! so the pages can log in without setup. Only `trackwire demo` mounts it;
//! a real deployment has no such route.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use trackwire_auth::jwt::{sign_hs256_claims, Claims};
use trackwire_auth::Identity;
use utoipa::ToSchema;

use crate::http::error::ErrorBody;
use crate::http::ApiError;
use crate::rest::AppState;
use trackwire_domain::Code;

/// How long a persona's token lives: long enough for a demo, short enough
/// to show `auth_expiring` and refresh at work.
const TOKEN_TTL: Duration = Duration::from_secs(3600);

/// One person of the demo.
#[derive(Debug, Clone)]
pub struct Persona {
    pub name: String,
    pub description: String,
    pub identity: Identity,
}

/// The demo's personas and the secret their tokens are signed with.
pub struct Personas {
    secret: Vec<u8>,
    issuer: Option<String>,
    audience: Option<String>,
    people: Vec<Persona>,
}

impl Personas {
    pub fn new(
        secret: Vec<u8>,
        issuer: Option<String>,
        audience: Option<String>,
        people: Vec<Persona>,
    ) -> Self {
        Self {
            secret,
            issuer,
            audience,
            people,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonaToken {
    pub name: String,
    pub description: String,
    pub tenant: String,
    pub subject: String,
    pub role: String,
    /// A bearer token for this persona.
    pub token: String,
    pub expires_in: u64,
}

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/v1/demo/personas", get(list))
}

/// The demo's personas, each with a fresh token (demo only).
#[utoipa::path(get, path = "/v1/demo/personas", tag = "demo",
    responses((status = 200, body = Vec<PersonaToken>), (status = 404, description = "not_found: not a demo", body = ErrorBody)))]
pub(crate) async fn list(
    State(state): State<AppState>,
) -> Result<Json<Vec<PersonaToken>>, ApiError> {
    let Some(personas) = &state.personas else {
        return Err(ApiError::not_found(
            "no such endpoint; see /v1/openapi.json",
        ));
    };
    let tokens = personas
        .people
        .iter()
        .map(|persona| {
            let claims = Claims::new(&persona.identity, TOKEN_TTL)
                .issued_by(personas.issuer.as_deref())
                .for_audience(personas.audience.as_deref());
            let token = sign_hs256_claims(&personas.secret, &claims).map_err(|error| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Code::Internal,
                    error.to_string(),
                )
            })?;
            Ok(PersonaToken {
                name: persona.name.clone(),
                description: persona.description.clone(),
                tenant: persona.identity.tenant.clone(),
                subject: persona.identity.subject.clone(),
                role: persona.identity.role.as_str().to_owned(),
                token,
                expires_in: TOKEN_TTL.as_secs(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Json(tokens))
}
