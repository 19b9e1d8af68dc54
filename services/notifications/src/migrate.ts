import 'reflect-metadata';
import { migrateMain, runMain } from '@smart-regency/platform';
import { loadNotificationsConfig } from './config';
import { notificationsSchema } from './schema';

void runMain('notifications migrate', () => migrateMain('notifications', loadNotificationsConfig(), notificationsSchema));
