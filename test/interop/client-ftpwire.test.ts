// The client suite against ftpwire's own server (LocalFileSystem on a temp dir).
import { clientSuite } from "./client-suite.js";
import { ownTarget } from "./client-own-target.js";

clientSuite(ownTarget("ftpwire"));
