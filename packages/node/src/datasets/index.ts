/**
 * The node's datasets on their own (`@fedhub/node/datasets`): loading files into DuckDB and inferring
 * dictionaries, without the agent, governance or DICOM modules, so a command can start loading data
 * before the rest of the node (and the hub) has been imported.
 */
export { DatasetStore, type LoadReport, type StoreDataset } from './duckdb-store.js';
export { inferDictionary } from './infer-dictionary.js';
