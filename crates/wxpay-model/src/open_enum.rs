//! `open_enum!`: string enums that survive WeChat Pay adding a value.
//!
//! Each generated enum has one variant per documented value (plus aliases that map to it), and
//! `Unknown(String)` that keeps any other value verbatim and re-serializes it unchanged.

/// Defines an open string enum. Syntax:
///
/// ```text
/// open_enum! {
///     /// docs
///     pub enum Name {
///         /// docs
///         Variant = "WIRE" | "ALIAS",
///     }
/// }
/// ```
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $wire:literal $(| $alias:literal)*
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[doc = concat!("\n\nWire value `", $wire, "`.")]
                $variant,
            )+
            /// A value this version of the SDK does not know, kept verbatim; it re-serializes unchanged.
            Unknown(String),
        }

        impl $name {
            /// Every known variant, in documentation order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The wire value (the canonical spelling for known variants).
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(s) => s.as_str(),
                }
            }

            /// Maps a wire value (or a known alias) to its variant; anything else is `Unknown`.
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $( $wire $(| $alias)* => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }

            /// Whether the value is not one this SDK version knows.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from_wire(s))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::from_wire(s)
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match Self::from_wire(&s) {
                    $name::Unknown(_) => $name::Unknown(s),
                    known => known,
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl ::serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " string"))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, s: &str) -> Result<$name, E> {
                        Ok($name::from_wire(s))
                    }
                    fn visit_string<E: ::serde::de::Error>(self, s: String) -> Result<$name, E> {
                        Ok($name::from(s))
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

pub(crate) use open_enum;

#[cfg(test)]
mod tests {
    open_enum! {
        /// Test enum.
        pub enum Color {
            /// Red.
            Red = "RED" | "ROUGE",
            /// Blue.
            Blue = "BLUE",
        }
    }

    #[test]
    fn known_alias_and_unknown() {
        assert_eq!(Color::from_wire("RED"), Color::Red);
        assert_eq!(Color::from_wire("ROUGE"), Color::Red);
        assert_eq!(Color::from_wire("GREEN"), Color::Unknown("GREEN".into()));
        let v: Vec<Color> = serde_json::from_str(r#"["BLUE","GREEN","ROUGE"]"#).unwrap();
        assert_eq!(v, [Color::Blue, Color::Unknown("GREEN".into()), Color::Red]);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"["BLUE","GREEN","RED"]"#
        );
        assert!(v[1].is_unknown());
        assert_eq!(Color::KNOWN.len(), 2);
        assert_eq!("BLUE".parse::<Color>().unwrap().to_string(), "BLUE");
    }

    #[test]
    fn rejects_non_strings() {
        assert!(serde_json::from_str::<Color>("1").is_err());
    }
}
