//! Settings: `config/default.toml`, then `config/{APP_ENV}.toml`, then
//! `ORDERS__*` environment variables, parsed into one typed struct at startup.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Settings {
    #[serde(default = "default_port")]
    pub port: u16,
    pub max_page_size: u32,
    /// Lets operators turn the CSV export off without a release.
    #[serde(default)]
    pub enable_csv_export: bool,
}

fn default_port() -> u16 {
    8080
}

impl Settings {
    /// Load and check the settings; any error stops the service before it binds.
    pub fn load() -> Result<Self, Box<dyn std::error::Error>> {
        let env = std::env::var("APP_ENV").unwrap_or_else(|_| "development".into());
        let settings: Settings = config::Config::builder()
            .add_source(config::File::with_name("config/default"))
            .add_source(config::File::with_name(&format!("config/{env}")).required(false))
            .add_source(config::Environment::with_prefix("ORDERS").separator("__"))
            .build()?
            .try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), String> {
        if self.max_page_size == 0 || self.max_page_size > 1000 {
            return Err(format!("max_page_size must be 1..=1000, got {}", self.max_page_size));
        }
        Ok(())
    }
}
