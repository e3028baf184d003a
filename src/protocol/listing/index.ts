// Directory listings: parsers for MLSD, Unix `ls -l` and DOS/IIS, format
// detection, and the formatters a server uses to answer MLSD/MLST and LIST.
export { parseMlsdLine, isMlsdSelfOrParent } from "./mlsd.js";
export { formatMlsdLine, MLSD_FACTS, DEFAULT_MLSD_FACTS } from "./mlsd-format.js";
export { parseUnixLine, formatUnixLine } from "./unix.js";
export { parseDosLine } from "./dos.js";
export { detectListingFormat, isTotalLine, type ListingFormat } from "./detect.js";
export { parseListing, ListingParser, DEFAULT_MAX_LISTING_LINE, type ListingParserOptions, type ParseListingOptions } from "./listing-parser.js";
