import { ApiProperty } from '@nestjs/swagger';

export class PublicComplaintFigures {
  @ApiProperty({ example: 0 })
  received: number;
  @ApiProperty({ example: 0 })
  resolved: number;
  /** Complaints neither closed nor rejected. */
  @ApiProperty({ example: 0 })
  open: number;
  /** Share of finished complaints handled within their deadlines; null until one is finished. */
  @ApiProperty({ type: Number, nullable: true, example: null })
  slaCompliancePct: number | null;
  @ApiProperty({ type: Number, nullable: true, example: null })
  averageRating: number | null;
}

export class PublicPermitFigures {
  @ApiProperty({ example: 0 })
  submitted: number;
  @ApiProperty({ example: 0 })
  issued: number;
  /** Applications in the agencies' hands: submitted, in review, awaiting payment or approved but not yet issued. */
  @ApiProperty({ example: 0 })
  inProcess: number;
  @ApiProperty({ type: Number, nullable: true, example: null })
  slaCompliancePct: number | null;
}

/** Open-data figures for everyone; no personal data. */
export class PublicSummaryResponse {
  /** Time of the newest event the figures include; null before any event. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  asOf: string | null;
  @ApiProperty({ type: PublicComplaintFigures })
  complaints: PublicComplaintFigures;
  @ApiProperty({ type: PublicPermitFigures })
  permits: PublicPermitFigures;
}

export class PublicSummaryRequest {}
